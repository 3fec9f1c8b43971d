package io.allidb.client;

import io.grpc.Status;

/**
 * No node could be reached, too few replicas were alive for the consistency level, or the node's
 * storage failed (`UNAVAILABLE`). Idempotent calls are retried before this is thrown; see {@link
 * AlliClient}.
 */
public class UnavailableException extends AlliException {
  private static final long serialVersionUID = 1L;

  UnavailableException(String operation, String serverMessage, Throwable cause) {
    super(operation, Status.Code.UNAVAILABLE, serverMessage, cause);
  }
}
