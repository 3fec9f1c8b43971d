package io.allidb.client;

import io.grpc.Status;

/**
 * The node (or this client, before sending) refused the request's content ({@code INVALID_ARGUMENT}
 * or {@code OUT_OF_RANGE}); the message names the field and why.
 */
public class InvalidArgumentException extends AlliException {
  private static final long serialVersionUID = 1L;

  InvalidArgumentException(
      String operation, Status.Code code, String serverMessage, Throwable cause) {
    super(operation, code, serverMessage, cause);
  }

  /** A request this client refuses before sending it. */
  static InvalidArgumentException local(String operation, String message) {
    return new InvalidArgumentException(operation, Status.Code.INVALID_ARGUMENT, message, null);
  }
}
