package io.allidb.dataplane.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.Entity;
import io.allidb.api.proto.GraphEdge;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResult;
import io.allidb.api.proto.ScoreWeights;
import io.allidb.api.proto.VectorEmbedding;
import io.allidb.dataplane.cluster.gossip.RingIdentity;
import io.allidb.dataplane.cluster.gossip.RingIdentityFormat;
import io.allidb.dataplane.cluster.ring.TokenRing;
import io.allidb.dataplane.testing.ProcessCluster;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five {@code allidb server} child JVMs gossiping on loopback (RF 3, three racks), each joining
 * through the first with tokens from the allocator.
 *
 * <ol>
 *   <li>The ring converges: every node reports the same epoch, five members and the same ring
 *       fingerprint, and that fingerprint is the one of the ring built from the tokens each node
 *       saved in its data directory.
 *   <li>The same Graph RAG query (ANN seeds, two hops) through every node returns the same ids in
 *       the same order with the same scores and paths (recency is weighted 0 and left out of the
 *       comparison: it depends on the time the query ran).
 *   <li>A SIGKILLed node is considered down by every survivor within 10 s (phi accrual, 1 s gossip
 *       interval).
 * </ol>
 */
class FiveNodeGossipIT {
  private static final int NODES = 5;
  private static final int RACKS = 3;
  private static final int DIM = 8;

  /** A bound against a hang, not a timing check: five child JVMs share two cores. */
  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir Path tmp;

  @Test
  void ringConvergesQueriesAgreeAndAKilledNodeIsMarkedDown() throws Exception {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    System.out.println("[seed] FiveNodeGossipIT -Dtests.seed=" + seed);
    var rnd = new Random(seed);
    try (var cluster = ProcessCluster.start(tmp, NODES, 3, RACKS, List.of())) {
      TokenRing saved = savedRing(cluster);
      cluster.await(
          BOUND,
          () -> {
            for (int i = 0; i < NODES; i++) {
              if (cluster.metric(i, "allidb_cluster_ring_members") != NODES
                  || cluster.metric(i, "allidb_cluster_ring_epoch") != saved.epoch()
                  || cluster.metric(i, "allidb_cluster_ring_fingerprint") != saved.fingerprint()
                  || cluster.metric(i, "allidb_cluster_live_peers") != NODES - 1) {
                return false;
              }
            }
            return true;
          },
          "the same ring (epoch " + saved.epoch() + ") and all peers live on every node");

      load(cluster, rnd);
      float[] query = vector(rnd);
      warmUp(cluster, query);
      List<QueryResult> first = query(cluster, 0, query);
      assertThat(first).hasSizeGreaterThanOrEqualTo(5);
      for (int i = 1; i < NODES; i++) {
        assertThat(query(cluster, i, query))
            .as("query through %s", ProcessCluster.host(i))
            .containsExactlyElementsOf(first);
      }

      int victim = NODES - 1;
      cluster.kill(victim);
      cluster.await(
          BOUND,
          () -> {
            for (int i = 0; i < victim; i++) {
              if (cluster.metric(i, "allidb_cluster_live_peers") != NODES - 2) {
                return false;
              }
            }
            return true;
          },
          "every survivor to consider " + ProcessCluster.host(victim) + " down");
    }
  }

  /** The ring the nodes' saved identities describe (racks as ProcessCluster assigns them). */
  private static TokenRing savedRing(ProcessCluster cluster) throws Exception {
    var members = new ArrayList<TokenRing.Member>();
    long epoch = 0;
    for (int i = 0; i < NODES; i++) {
      RingIdentity id = RingIdentityFormat.load(cluster.dataDir(i)).orElseThrow();
      assertThat(id.hostId()).isEqualTo(ProcessCluster.host(i));
      members.add(new TokenRing.Member(id.hostId(), "rack-" + (i % RACKS), id.tokens()));
      epoch = Math.max(epoch, id.ringEpoch());
    }
    return TokenRing.of(epoch, members);
  }

  /**
   * 120 entities with 8-d embeddings and 3 outgoing edges each, written at QUORUM via n1 in batches
   * of 20. A batch that fails is sent again (rows are idempotent under last-write-wins): the first
   * calls reach five cold JVMs sharing two cores, where a replica can miss the 2 s internode
   * deadline.
   */
  private static void load(ProcessCluster cluster, Random rnd) {
    var batch = BatchPutEntitiesRequest.newBuilder();
    int n = 120;
    for (int i = 0; i < n; i++) {
      var e =
          Entity.newBuilder()
              .setEntityId("e" + i)
              .setEntityType("doc")
              .setImportance(rnd.nextDouble())
              .addEmbeddings(
                  VectorEmbedding.newBuilder().setVersion(1).addAllVector(boxed(vector(rnd))));
      for (int j = 0; j < 3; j++) {
        e.addOutgoingEdges(
            GraphEdge.newBuilder()
                .setFromEntity("e" + i)
                .setToEntity("e" + rnd.nextInt(n))
                .setRelation(j == 0 ? "cites" : "mentions")
                .setWeight(0.1 + 0.9 * rnd.nextDouble()));
      }
      batch.addEntities(e);
      if (batch.getEntitiesCount() == 20) {
        putWithRetries(cluster, batch.build());
        batch.clearEntities();
      }
    }
  }

  private static void putWithRetries(ProcessCluster cluster, BatchPutEntitiesRequest request) {
    for (int attempt = 1; ; attempt++) {
      try {
        var reply = cluster.stub(0).batchPutEntities(request);
        assertThat(reply.getSuccessCount()).isEqualTo(request.getEntitiesCount());
        return;
      } catch (StatusRuntimeException e) {
        if (attempt == 5) {
          throw e;
        }
        System.out.println("batch attempt " + attempt + " failed, retrying: " + e.getStatus());
      }
    }
  }

  /**
   * One query through every node until it answers: the first query a cold child JVM serves loads
   * the ANN and query classes while four other JVMs share the two cores, and a replica's part can
   * then miss the 2 s internode read timeout. Warm answers are what the comparison is about.
   */
  private static void warmUp(ProcessCluster cluster, float[] vector) {
    for (int i = 0; i < NODES; i++) {
      for (int attempt = 1; ; attempt++) {
        try {
          query(cluster, i, vector);
          break;
        } catch (StatusRuntimeException e) {
          if (attempt == 5) {
            throw e;
          }
          System.out.println(
              "warm-up query " + attempt + " via n" + (i + 1) + ": " + e.getStatus());
        }
      }
    }
  }

  private static List<QueryResult> query(ProcessCluster cluster, int node, float[] vector) {
    return cluster
        .stub(node)
        .query(
            QueryRequest.newBuilder()
                .addAllQueryVector(boxed(vector))
                .setK(10)
                .setMaxHops(2)
                .setOmitEntities(true)
                .setWeights(ScoreWeights.newBuilder().setRecency(0))
                .build())
        .getResultsList()
        .stream()
        .map(r -> r.toBuilder().setBreakdown(r.getBreakdown().toBuilder().clearRecency()).build())
        .toList();
  }

  private static float[] vector(Random rnd) {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) rnd.nextGaussian();
    }
    return v;
  }

  private static List<Float> boxed(float[] v) {
    var out = new ArrayList<Float>(v.length);
    for (float f : v) {
      out.add(f);
    }
    return out;
  }
}
