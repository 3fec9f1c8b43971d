package io.allidb.operator.ring;

import io.grpc.Status;

/** A node admin call failed or the node could not be reached; the operator retries later. */
public class NodeAdminException extends RuntimeException {
  private final Status.Code code;

  public NodeAdminException(String message) {
    this(message, null, null);
  }

  public NodeAdminException(String message, Throwable cause) {
    this(message, null, cause);
  }

  /**
   * @param code the gRPC status the node (or the transport) answered; null when the call never
   *     reached a node (a missing credential, a bad CA bundle)
   */
  public NodeAdminException(String message, Status.Code code, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The gRPC status of a failed call, or null when the failure happened before any call. */
  public Status.Code code() {
    return code;
  }
}
