package io.allidb.client;

import io.grpc.Status;

/** The API key is missing, malformed, unknown, expired or not yet valid (`UNAUTHENTICATED`). */
public class AuthenticationException extends AlliException {
  private static final long serialVersionUID = 1L;

  AuthenticationException(String operation, String serverMessage, Throwable cause) {
    super(operation, Status.Code.UNAUTHENTICATED, serverMessage, cause);
  }
}
