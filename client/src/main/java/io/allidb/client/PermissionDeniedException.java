package io.allidb.client;

import io.grpc.Status;

/**
 * The API key lacks a scope for the call, or the request named another tenant
 * (`PERMISSION_DENIED`).
 */
public class PermissionDeniedException extends AlliException {
  private static final long serialVersionUID = 1L;

  PermissionDeniedException(String operation, String serverMessage, Throwable cause) {
    super(operation, Status.Code.PERMISSION_DENIED, serverMessage, cause);
  }
}
