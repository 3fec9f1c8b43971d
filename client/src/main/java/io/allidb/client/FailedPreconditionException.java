package io.allidb.client;

import io.grpc.Status;

/** The node cannot do this now, e.g. another ring change is in progress (`FAILED_PRECONDITION`). */
public class FailedPreconditionException extends AlliException {
  private static final long serialVersionUID = 1L;

  FailedPreconditionException(String operation, String serverMessage, Throwable cause) {
    super(operation, Status.Code.FAILED_PRECONDITION, serverMessage, cause);
  }
}
