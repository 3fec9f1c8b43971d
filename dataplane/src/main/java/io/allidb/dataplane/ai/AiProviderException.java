package io.allidb.dataplane.ai;

import java.io.IOException;
import java.time.Duration;

/**
 * A failed call to an AI provider. {@link #retryable()} calls (timeouts, connection failures, 429,
 * 5xx, a malformed answer) are retried with backoff; {@link #retryAfter()} carries the server's
 * {@code Retry-After} when it sent one. Messages name the provider, the HTTP status and the start
 * of the body, never a credential.
 */
public final class AiProviderException extends IOException {
  private final boolean retryable;
  private final int status;
  private final Duration retryAfter;

  public AiProviderException(String message, boolean retryable, int status, Duration retryAfter) {
    super(message);
    this.retryable = retryable;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  public AiProviderException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
    this.status = 0;
    this.retryAfter = null;
  }

  public boolean retryable() {
    return retryable;
  }

  /** The HTTP status, or 0 when the call got no answer. */
  public int status() {
    return status;
  }

  /** The server's {@code Retry-After}, or null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
