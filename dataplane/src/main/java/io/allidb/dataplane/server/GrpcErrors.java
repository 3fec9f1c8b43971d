package io.allidb.dataplane.server;

import io.allidb.dataplane.storage.row.CorruptRowException;
import io.allidb.dataplane.storage.sstable.CorruptSSTableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps exceptions from the engine to gRPC statuses with messages safe to send to a client.
 *
 * <p>Argument errors carry their message ({@code INVALID_ARGUMENT}); they describe the caller's own
 * input. Storage and internal failures are logged here with their detail and answered with a fixed
 * message: file paths, stack traces and anything else internal stay in the node log.
 *
 * <p>Thread-safe: stateless.
 */
final class GrpcErrors {
  private static final Logger logger = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static StatusRuntimeException toStatus(String rpc, Throwable t) {
    if (t instanceof StatusRuntimeException s) {
      return s;
    }
    if (t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof IllegalStateException) {
      // mostly "storage engine is closed" while the node shuts down: another replica may serve
      logger.warn("{} failed", rpc, t);
      return Status.UNAVAILABLE
          .withDescription(rpc + ": storage unavailable on this node (details in the node log)")
          .asRuntimeException();
    }
    if (t instanceof CorruptRowException || t instanceof CorruptSSTableException) {
      logger.error("{} hit corrupt stored data", rpc, t);
      return Status.INTERNAL
          .withDescription(rpc + ": stored data failed verification on this node")
          .asRuntimeException();
    }
    if (t instanceof IOException) {
      logger.error("{} failed with a storage error", rpc, t);
      return Status.UNAVAILABLE
          .withDescription(rpc + ": storage error on this node (details in the node log)")
          .asRuntimeException();
    }
    logger.error("{} failed", rpc, t);
    return Status.INTERNAL
        .withDescription(rpc + ": internal error (details in the node log)")
        .asRuntimeException();
  }
}
