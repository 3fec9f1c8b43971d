package io.allidb.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call to an AlliDB node failed. Keeps the server's gRPC status code and message ({@link
 * #code()}, {@link #serverMessage()}); subclasses name the common cases so applications can catch
 * them without inspecting codes. The original {@link StatusRuntimeException} is the cause.
 */
public class AlliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String serverMessage;
  private final String operation;

  protected AlliException(
      String operation, Status.Code code, String serverMessage, Throwable cause) {
    super(
        operation + " failed: " + code + (serverMessage.isEmpty() ? "" : ": " + serverMessage),
        cause);
    this.operation = operation;
    this.code = code;
    this.serverMessage = serverMessage;
  }

  /** The gRPC status code the node (or the transport) answered. */
  public Status.Code code() {
    return code;
  }

  /** The status description as the node sent it; empty when it sent none. */
  public String serverMessage() {
    return serverMessage;
  }

  /** The client operation that failed, e.g. {@code "put"} or {@code "admin.decommission"}. */
  public String operation() {
    return operation;
  }

  /**
   * The typed exception for a failed call.
   *
   * @param context appended to the message after the server's, e.g. how much of a batch was already
   *     written; empty for none
   */
  static AlliException from(String operation, Throwable t, String context) {
    Status status = Status.fromThrowable(t);
    String message = status.getDescription() == null ? "" : status.getDescription();
    if (!context.isEmpty()) {
      message = message.isEmpty() ? context : message + " (" + context + ")";
    }
    return switch (status.getCode()) {
      case UNAUTHENTICATED -> new AuthenticationException(operation, message, t);
      case PERMISSION_DENIED -> new PermissionDeniedException(operation, message, t);
      case NOT_FOUND -> new NotFoundException(operation, message, t);
      case INVALID_ARGUMENT, OUT_OF_RANGE ->
          new InvalidArgumentException(operation, status.getCode(), message, t);
      case UNAVAILABLE -> new UnavailableException(operation, message, t);
      case DEADLINE_EXCEEDED -> new DeadlineExceededException(operation, message, t);
      case FAILED_PRECONDITION -> new FailedPreconditionException(operation, message, t);
      case RESOURCE_EXHAUSTED -> new ResourceExhaustedException(operation, message, t);
      default -> new AlliException(operation, status.getCode(), message, t);
    };
  }

  static AlliException from(String operation, Throwable t) {
    return from(operation, t, "");
  }
}
