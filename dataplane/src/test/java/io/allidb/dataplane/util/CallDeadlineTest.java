package io.allidb.dataplane.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Loops inside an RPC stop once the call's deadline passes or the client cancels. */
class CallDeadlineTest {

  @Test
  void passesOutsideAnyCallAndWithinALiveDeadline() {
    assertThatCode(CallDeadline::check).doesNotThrowAnyException();
    var scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      var ctx = Context.current().withDeadlineAfter(1, TimeUnit.HOURS, scheduler);
      ctx.run(() -> assertThatCode(CallDeadline::check).doesNotThrowAnyException());
      ctx.cancel(null);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void throwsDeadlineExceededOnceTheDeadlineHasPassed() {
    var scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      var ctx = Context.current().withDeadline(Deadline.after(-1, TimeUnit.SECONDS), scheduler);
      ctx.run(
          () ->
              assertThatThrownBy(CallDeadline::check)
                  .isInstanceOfSatisfying(
                      StatusRuntimeException.class,
                      e ->
                          assertThat(e.getStatus().getCode())
                              .isEqualTo(Status.Code.DEADLINE_EXCEEDED)));
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void throwsCancelledWhenTheClientWentAway() {
    var ctx = Context.current().withCancellation();
    ctx.cancel(null);
    ctx.run(
        () ->
            assertThatThrownBy(CallDeadline::check)
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("CANCELLED"));
  }
}
