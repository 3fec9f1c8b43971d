package io.allidb.dataplane.cluster.transport;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each peer's internode service is reachable: host id to {@code host:port}, as the peers
 * publish it through gossip (never guessed from a connection's source address). Gossip writes it,
 * {@link PooledPeers} and {@link NetworkFaults} read it; both directions are kept so fault
 * injection can name the host behind an address.
 *
 * <p>Thread-safe.
 */
public final class PeerAddresses {
  private final Map<String, String> byHost = new ConcurrentHashMap<>();
  private final Map<String, String> byAddress = new ConcurrentHashMap<>();

  /** Records (or moves) a peer's address. */
  public synchronized void put(String hostId, String address) {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(address, "address");
    String previous = byHost.put(hostId, address);
    if (previous != null && !previous.equals(address)) {
      byAddress.remove(previous, hostId);
    }
    byAddress.put(address, hostId);
  }

  public synchronized void remove(String hostId) {
    String address = byHost.remove(hostId);
    if (address != null) {
      byAddress.remove(address, hostId);
    }
  }

  public Optional<String> addressOf(String hostId) {
    return Optional.ofNullable(byHost.get(hostId));
  }

  /** The host id last seen at {@code address}, if any. */
  public Optional<String> hostIdAt(String address) {
    return Optional.ofNullable(byAddress.get(address));
  }
}
