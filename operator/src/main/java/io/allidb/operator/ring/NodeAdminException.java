package io.allidb.operator.ring;

/** A node admin call failed or the node could not be reached; the operator retries later. */
public class NodeAdminException extends RuntimeException {
  public NodeAdminException(String message) {
    super(message);
  }

  public NodeAdminException(String message, Throwable cause) {
    super(message, cause);
  }
}
