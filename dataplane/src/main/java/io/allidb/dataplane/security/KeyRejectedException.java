package io.allidb.dataplane.security;

/**
 * A presented API key was refused. The message is safe to return to the caller and to log: it names
 * at most the key id and why ("API key k1 expired at 2026-03-01T00:00:00Z"), never the secret. No
 * cause, no stack trace (it is a normal outcome, not a bug).
 */
public final class KeyRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why, in a form a metric label can carry. */
  public enum Reason {
    MALFORMED,
    INVALID,
    EXPIRED,
    NOT_YET_VALID
  }

  private final Reason reason;

  KeyRejectedException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
