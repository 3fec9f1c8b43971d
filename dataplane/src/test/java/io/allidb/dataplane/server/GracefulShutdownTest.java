package io.allidb.dataplane.server;

import static io.allidb.dataplane.server.GrpcAssertions.assertStatus;
import static io.allidb.dataplane.server.TestNode.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.HealthCheckRequest;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.QueryResponse;
import io.allidb.dataplane.query.QueryExecutor;
import io.allidb.dataplane.util.CallDeadline;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown stops new calls, lets in-flight ones finish, and cancels stragglers after the grace. */
class GracefulShutdownTest {
  @TempDir Path dir;
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private TestNode node;

  /** An executor that parks the call until the test releases it, then honours cancellation. */
  private QueryExecutor parkingExecutor() {
    return (tenant, request) -> {
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      CallDeadline.check();
      return QueryResponse.getDefaultInstance();
    };
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    node.close();
  }

  private CompletableFuture<QueryResponse> queryInFlight() throws InterruptedException {
    var stub = node.stub(KEY_A);
    var call =
        CompletableFuture.supplyAsync(
            () -> stub.query(QueryRequest.newBuilder().addQueryVector(1).build()));
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    return call;
  }

  @Test
  void inFlightCallCompletesWhileNewCallsAreRefused() throws Exception {
    node = TestNode.inProcess(dir, Clock.systemUTC(), b -> b, s -> parkingExecutor());
    var call = queryInFlight();
    var closing =
        CompletableFuture.runAsync(
            () -> {
              try {
                node.server.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    var fresh = AlliDBGrpc.newBlockingStub(node.channel);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertStatus(
                    () -> fresh.healthCheck(HealthCheckRequest.getDefaultInstance()),
                    Status.Code.UNAVAILABLE,
                    ""));
    assertThat(closing).isNotDone();

    release.countDown();
    assertThat(call.get(30, TimeUnit.SECONDS).getTotalResults()).isZero();
    closing.get(30, TimeUnit.SECONDS);
  }

  @Test
  void callStillRunningAfterTheGraceIsCutOffAndCloseReturns() throws Exception {
    node =
        TestNode.inProcess(
            dir,
            Clock.systemUTC(),
            b -> b.shutdownGrace(Duration.ofMillis(50)),
            s -> parkingExecutor());
    var call = queryInFlight();
    var closing =
        CompletableFuture.runAsync(
            () -> {
              try {
                node.server.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertStatus(
        () -> {
          try {
            call.get(30, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            throw e.getCause();
          }
        },
        Status.Code.UNAVAILABLE, // the transport's answer to shutdownNow: retry elsewhere
        "");
    closing.get(30, TimeUnit.SECONDS); // returns although the handler is still parked
  }
}
