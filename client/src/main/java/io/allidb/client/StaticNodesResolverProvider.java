package io.allidb.client;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Resolves a fixed list of node addresses, {@code allidb-nodes:///host1:7000,host2:7000}, so one
 * channel balances (round robin) over several nodes and skips those it cannot reach. Each address
 * carries its own {@code host:port} as TLS authority, so every node's certificate is checked
 * against the name it was dialled by. Host names are looked up again on every refresh (after a
 * connection failure), so a node that comes back under a new IP is found.
 */
final class StaticNodesResolverProvider extends NameResolverProvider {
  static final String SCHEME = "allidb-nodes";
  private static final StaticNodesResolverProvider INSTANCE = new StaticNodesResolverProvider();

  static {
    NameResolverRegistry.getDefaultRegistry().register(INSTANCE);
  }

  private StaticNodesResolverProvider() {}

  /** The channel target for {@code hostPorts} (registers the scheme on first use). */
  static String target(List<String> hostPorts) {
    return SCHEME + ":///" + String.join(",", hostPorts);
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String path = targetUri.getPath();
    List<String> hostPorts = List.of(path.substring(path.startsWith("/") ? 1 : 0).split(","));
    return new Resolver(hostPorts, args.getOverrideAuthority() == null, args.getOffloadExecutor());
  }

  private static final class Resolver extends NameResolver {
    private final List<String> hostPorts;
    private final boolean authorityPerAddress;
    private final Executor offload;
    private Listener2 listener;

    Resolver(List<String> hostPorts, boolean authorityPerAddress, Executor offload) {
      this.hostPorts = hostPorts;
      this.authorityPerAddress = authorityPerAddress;
      this.offload = offload;
    }

    @Override
    public String getServiceAuthority() {
      return hostPorts.get(0);
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      resolve();
    }

    @Override
    public void refresh() {
      resolve();
    }

    private void resolve() {
      Runnable lookup =
          () -> {
            var groups = new ArrayList<EquivalentAddressGroup>();
            var failures = new ArrayList<String>();
            for (String hp : hostPorts) {
              HostPort parsed = HostPort.parse(hp);
              var address = new InetSocketAddress(parsed.host(), parsed.port());
              if (address.isUnresolved()) {
                failures.add(hp);
                continue;
              }
              Attributes attrs =
                  authorityPerAddress
                      ? Attributes.newBuilder()
                          .set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, hp)
                          .build()
                      : Attributes.EMPTY;
              groups.add(new EquivalentAddressGroup(address, attrs));
            }
            if (groups.isEmpty()) {
              listener.onError(
                  Status.UNAVAILABLE.withDescription("cannot resolve any of " + failures));
            } else {
              // nodes that do not resolve now are retried on the next refresh
              listener.onResult(
                  ResolutionResult.newBuilder()
                      .setAddressesOrError(StatusOr.fromValue(groups))
                      .build());
            }
          };
      if (offload != null) {
        offload.execute(lookup);
      } else {
        lookup.run();
      }
    }

    @Override
    public void shutdown() {}
  }
}
