package io.allidb.dataplane.admin;

import java.io.IOException;

/**
 * The hook behind admin {@code ReloadSecrets} and the generations {@code NodeInfo} reports: API
 * keys and TLS material are re-read here. A running node uses {@code
 * io.allidb.dataplane.server.NodeSecrets} (docs/security.md, "Generations (node contract)").
 * Implementations must be thread-safe.
 */
public interface SecretsReloader {

  /** Generations of the loaded key set and certificate; 0 = not tracked. */
  record Generations(long keySet, long certificate, String message) {}

  /**
   * Re-reads secrets now and returns what is loaded afterwards.
   *
   * @throws IllegalStateException when a file cannot be loaded (the previous material stays); the
   *     message names the file and why, and the admin API answers FAILED_PRECONDITION with it
   */
  Generations reload() throws IOException;

  /** What is loaded now, without reloading. */
  Generations current();

  /** For parts assembled without secrets (tests, embedding): nothing to reload, generations 0. */
  static SecretsReloader none() {
    return new SecretsReloader() {
      private final Generations none =
          new Generations(0, 0, "no secret reloading is wired into these parts");

      @Override
      public Generations reload() {
        return none;
      }

      @Override
      public Generations current() {
        return none;
      }
    };
  }
}
