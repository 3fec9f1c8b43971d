package io.allidb.dataplane.cluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.api.proto.ConsistencyLevel;
import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.LocalCluster;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write path's pending replicas on four real nodes at RF 3: a coordinator told that a key is
 * gaining the fourth node (as during a join or a leave) writes it there too and counts it on top of
 * the level, so QUORUM then needs 3 acknowledgements out of 4.
 */
class PendingReplicaWritesIT {
  @TempDir Path root;
  private LocalCluster cluster;
  private final Set<String> down = new HashSet<>();

  @BeforeEach
  void start() throws Exception {
    cluster = LocalCluster.start(root, 4, 3, b -> b);
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  /** Node 0's coordinator with a view in which {@code pending} is gaining every key. */
  private WriteCoordinator coordinator(String pending) {
    TokenRing ring = cluster.ring();
    ClusterView view =
        new ClusterView() {
          @Override
          public String localHostId() {
            return LocalCluster.host(0);
          }

          @Override
          public TokenRing ring() {
            return ring;
          }

          @Override
          public int replicationFactor() {
            return 3;
          }

          @Override
          public boolean isAlive(String hostId) {
            return !down.contains(hostId);
          }

          @Override
          public Optional<String> internodeAddress(String hostId) {
            return Optional.empty();
          }

          @Override
          public List<String> pendingReplicasFor(long token) {
            return List.of(pending);
          }
        };
    var server = cluster.server(0);
    return new WriteCoordinator(
        view, server.replicaCalls(), server.hintStore(), Duration.ofSeconds(5));
  }

  /** A key node 0 does not replicate, so every replica call crosses the network. */
  private String key() {
    for (int i = 0; ; i++) {
      if (!cluster.replicasOf("p" + i).contains(LocalCluster.host(0))) {
        return "p" + i;
      }
    }
  }

  private String notAReplica(String id) {
    var others = new HashSet<>(cluster.ring().hostIds());
    others.removeAll(cluster.replicasOf(id));
    return others.iterator().next();
  }

  @Test
  void pendingReplicaReceivesTheWriteAndIsCountedOnTopOfTheLevel() throws Exception {
    String id = key();
    String pending = notAReplica(id);
    var key = RowKey.of(LocalCluster.TENANT, id);
    int pendingIndex = Integer.parseInt(pending.substring(1)) - 1;
    assertThat(LocalCluster.host(pendingIndex)).isEqualTo(pending);

    coordinator(pending)
        .write(List.of(Row.tombstone(key, 1_000)), ConsistencyLevel.CONSISTENCY_QUORUM);
    assertThat(cluster.store(pendingIndex).storage().getRow(key))
        .as("the pending replica %s has the row", pending)
        .isPresent();

    // one natural replica and the pending one down: 2 alive of the 3 needed (2 + 1 pending)
    down.add(pending);
    down.add(cluster.replicasOf(id).get(0));
    assertThatThrownBy(
            () ->
                coordinator(pending)
                    .write(List.of(Row.tombstone(key, 2_000)), ConsistencyLevel.CONSISTENCY_QUORUM))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).contains("need 3");
            });

    // only the pending replica down: the three natural ones meet 3, the pending one is hinted
    down.clear();
    down.add(pending);
    long hintsBefore = cluster.server(0).hintStore().pending(pending);
    coordinator(pending)
        .write(List.of(Row.tombstone(key, 3_000)), ConsistencyLevel.CONSISTENCY_QUORUM);
    assertThat(cluster.server(0).hintStore().pending(pending)).isGreaterThan(hintsBefore);
  }
}
