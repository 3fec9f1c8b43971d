package io.allidb.client;

import io.grpc.Status;

/** What the call named does not exist (`NOT_FOUND`). */
public class NotFoundException extends AlliException {
  private static final long serialVersionUID = 1L;

  NotFoundException(String operation, String serverMessage, Throwable cause) {
    super(operation, Status.Code.NOT_FOUND, serverMessage, cause);
  }
}
