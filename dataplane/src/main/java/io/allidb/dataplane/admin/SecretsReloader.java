package io.allidb.dataplane.admin;

import java.io.IOException;

/**
 * The hook behind admin {@code ReloadSecrets} and the generations {@code NodeInfo} reports: the
 * security work re-reads API keys and TLS material here. Implementations must be thread-safe.
 */
public interface SecretsReloader {

  /** Generations of the loaded key set and certificate; 0 = not tracked. */
  record Generations(long keySet, long certificate, String message) {}

  /** Re-reads secrets now and returns what is loaded afterwards. */
  Generations reload() throws IOException;

  /** What is loaded now, without reloading. */
  Generations current();

  /** Until the security work plugs in: nothing to reload, generations 0. */
  static SecretsReloader none() {
    return new SecretsReloader() {
      private final Generations none =
          new Generations(0, 0, "no secret reloading is wired into this node yet");

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
