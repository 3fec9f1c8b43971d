package io.allidb.dataplane.cluster.ring;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * An immutable token ring: which member owns which vnode tokens, at which epoch, and where each
 * key's replicas live.
 *
 * <p>Each token {@code t} of a member owns the range {@code (previous token, t]}. The replicas of a
 * key are found by walking clockwise from the key's token and taking members in order, preferring
 * racks not yet used (as Cassandra's NetworkTopologyStrategy does within one data centre): a member
 * on a rack that already holds a replica is skipped until every rack holds one, then the skipped
 * members fill the remaining places in the order they were met. With as many racks as replicas,
 * every replica sits on a distinct rack.
 *
 * <p>Two nodes that build a ring from the same members and tokens get an equal ring: placement
 * depends only on the sorted tokens, host ids (ties) and racks, never on iteration order.
 */
public final class TokenRing {
  private final long epoch;
  private final Map<String, Member> members;
  private final long[] tokens; // sorted ascending, distinct
  private final String[] owners; // owners[i] owns tokens[i]
  private final int rackCount; // computed once: replicasFor is on every request's path

  /**
   * A member of the ring.
   *
   * @param hostId stable identity of the node
   * @param rack rack (or zone) name; members on distinct racks are preferred as replicas
   * @param tokens the member's vnode tokens
   */
  public record Member(String hostId, String rack, List<Long> tokens) {
    public Member {
      Objects.requireNonNull(hostId, "hostId");
      Objects.requireNonNull(rack, "rack");
      tokens = List.copyOf(tokens);
      if (hostId.isEmpty()) {
        throw new IllegalArgumentException("hostId must not be empty");
      }
      if (tokens.isEmpty()) {
        throw new IllegalArgumentException("member " + hostId + " has no tokens");
      }
    }
  }

  private TokenRing(long epoch, Map<String, Member> members, long[] tokens, String[] owners) {
    this.epoch = epoch;
    this.members = members;
    this.tokens = tokens;
    this.owners = owners;
    var racks = new HashSet<String>();
    members.values().forEach(m -> racks.add(m.rack()));
    this.rackCount = racks.size();
  }

  /** An empty ring (no member yet). */
  public static TokenRing empty() {
    return new TokenRing(0, Map.of(), new long[0], new String[0]);
  }

  /**
   * Builds a ring.
   *
   * @throws IllegalArgumentException when two members claim the same token or a host id repeats
   */
  public static TokenRing of(long epoch, List<Member> members) {
    var byHost = new TreeMap<String, Member>();
    var byToken = new TreeMap<Long, String>();
    for (Member m : members) {
      if (byHost.put(m.hostId(), m) != null) {
        throw new IllegalArgumentException("host id " + m.hostId() + " appears twice in the ring");
      }
      for (long t : m.tokens()) {
        String previous = byToken.put(t, m.hostId());
        if (previous != null && !previous.equals(m.hostId())) {
          throw new IllegalArgumentException(
              "token " + t + " is claimed by both " + previous + " and " + m.hostId());
        }
      }
    }
    long[] tokens = new long[byToken.size()];
    String[] owners = new String[byToken.size()];
    int i = 0;
    for (var e : byToken.entrySet()) {
      tokens[i] = e.getKey();
      owners[i++] = e.getValue();
    }
    return new TokenRing(epoch, Collections.unmodifiableMap(byHost), tokens, owners);
  }

  public long epoch() {
    return epoch;
  }

  /** Members by host id, in host-id order. */
  public Map<String, Member> members() {
    return members;
  }

  public boolean isEmpty() {
    return tokens.length == 0;
  }

  /** Number of distinct racks. */
  public int rackCount() {
    return rackCount;
  }

  /**
   * The replicas of a token, primary first.
   *
   * @param rf replication factor; fewer are returned when the ring has fewer members
   */
  public List<String> replicasFor(long token, int rf) {
    if (rf < 1) {
      throw new IllegalArgumentException("replication factor must be >= 1; got " + rf);
    }
    if (tokens.length == 0) {
      return List.of();
    }
    int wanted = Math.min(rf, members.size());
    int racks = rackCount;
    var chosen = new LinkedHashSet<String>();
    var usedRacks = new HashSet<String>();
    var skipped = new LinkedHashSet<String>();
    int start = ownerIndex(token);
    for (int step = 0; step < tokens.length && chosen.size() < wanted; step++) {
      String host = owners[(start + step) % tokens.length];
      if (chosen.contains(host)) {
        continue;
      }
      String rack = members.get(host).rack();
      if (usedRacks.size() < racks && usedRacks.contains(rack)) {
        skipped.add(host);
        continue;
      }
      chosen.add(host);
      usedRacks.add(rack);
      if (usedRacks.size() == racks) {
        // every rack holds a replica: members skipped so far fill places in the order met
        for (var it = skipped.iterator(); it.hasNext() && chosen.size() < wanted; ) {
          chosen.add(it.next());
          it.remove();
        }
      }
    }
    return List.copyOf(chosen);
  }

  /** The replicas of a key. */
  public List<String> replicasFor(String tenant, String id, int rf) {
    return replicasFor(Murmur3Partitioner.token(tenant, id), rf);
  }

  /** The vnode ranges of the ring in token order; one full-ring range for a single token. */
  public List<TokenRange> ranges() {
    var out = new ArrayList<TokenRange>(tokens.length);
    for (int i = 0; i < tokens.length; i++) {
      long previous = tokens[(i - 1 + tokens.length) % tokens.length];
      out.add(new TokenRange(previous, tokens[i]));
    }
    return out;
  }

  /** The vnode range holding {@code token}. */
  public TokenRange rangeOf(long token) {
    if (tokens.length == 0) {
      throw new IllegalStateException("the ring is empty");
    }
    int i = ownerIndex(token);
    return new TokenRange(tokens[(i - 1 + tokens.length) % tokens.length], tokens[i]);
  }

  /** The ranges each member replicates (as any replica) at replication factor {@code rf}. */
  public Map<String, List<TokenRange>> rangesByReplica(int rf) {
    var out = new HashMap<String, List<TokenRange>>();
    for (TokenRange r : ranges()) {
      for (String host : replicasFor(r.end(), rf)) {
        out.computeIfAbsent(host, h -> new ArrayList<>()).add(r);
      }
    }
    return out;
  }

  /** The fraction of all data each member holds at replication factor {@code rf} (sums to rf). */
  public SortedMap<String, Double> ownership(int rf) {
    var out = new TreeMap<String, Double>();
    members.keySet().forEach(h -> out.put(h, 0.0));
    rangesByReplica(rf)
        .forEach(
            (host, ranges) ->
                out.put(host, ranges.stream().mapToDouble(TokenRange::fraction).sum()));
    return out;
  }

  /** Index of the first token >= {@code token}, wrapping to 0 past the last. */
  private int ownerIndex(long token) {
    int i = Arrays.binarySearch(tokens, token);
    if (i < 0) {
      i = -i - 1;
    }
    return i == tokens.length ? 0 : i;
  }

  /**
   * A 32-bit CRC32C over the placement inputs (tokens with their owners, and every member's rack),
   * epoch excluded. Two nodes whose fingerprints match route every key to the same replicas; it is
   * published as a metric so operators (and tests) can compare rings across nodes without dumping
   * them.
   */
  public long fingerprint() {
    var crc = new CRC32C();
    var buf = ByteBuffer.allocate(8);
    for (int i = 0; i < tokens.length; i++) {
      crc.update(buf.clear().putLong(tokens[i]).array());
      crc.update(owners[i].getBytes(StandardCharsets.UTF_8));
      crc.update(0);
    }
    for (Member m : members.values()) {
      crc.update(m.hostId().getBytes(StandardCharsets.UTF_8));
      crc.update(0);
      crc.update(m.rack().getBytes(StandardCharsets.UTF_8));
      crc.update(0);
    }
    return crc.getValue();
  }

  /** Host ids of all members. */
  public Set<String> hostIds() {
    return members.keySet();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenRing r
        && epoch == r.epoch
        && Arrays.equals(tokens, r.tokens)
        && Arrays.equals(owners, r.owners)
        && members.equals(r.members);
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, Arrays.hashCode(tokens), members);
  }

  @Override
  public String toString() {
    return "TokenRing{epoch="
        + epoch
        + ", members="
        + members.size()
        + ", tokens="
        + tokens.length
        + "}";
  }
}
