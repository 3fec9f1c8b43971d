package io.allidb.client;

import io.grpc.Status;

/**
 * The call's deadline passed (`DEADLINE_EXCEEDED`), on the client or while the node waited for
 * replicas.
 */
public class DeadlineExceededException extends AlliException {
  private static final long serialVersionUID = 1L;

  DeadlineExceededException(String operation, String serverMessage, Throwable cause) {
    super(operation, Status.Code.DEADLINE_EXCEEDED, serverMessage, cause);
  }
}
