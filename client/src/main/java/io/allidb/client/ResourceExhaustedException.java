package io.allidb.client;

import io.grpc.Status;

/** The request was larger than the node accepts, or a limit was hit (`RESOURCE_EXHAUSTED`). */
public class ResourceExhaustedException extends AlliException {
  private static final long serialVersionUID = 1L;

  ResourceExhaustedException(String operation, String serverMessage, Throwable cause) {
    super(operation, Status.Code.RESOURCE_EXHAUSTED, serverMessage, cause);
  }
}
