package io.allidb.dataplane.server;

import io.allidb.dataplane.admin.SecretsReloader;
import io.allidb.dataplane.security.InternodeTls;
import io.allidb.dataplane.security.PublicTls;
import io.allidb.dataplane.security.ReloadingKeySet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link SecretsReloader}: the admin API's {@code ReloadSecrets} re-reads the API key
 * set and both TLS materials (client-facing and internode) now, through the same reloading classes
 * that also pick changes up on their own, and {@code NodeInfo} reports the generations loaded
 * (docs/security.md, "Generations (node contract)"):
 *
 * <ul>
 *   <li>key set: the {@code # generation: N} line of the loaded set ({@link
 *       io.allidb.dataplane.security.KeySetFormat#generation}); 0 without one;
 *   <li>certificate: the smaller of the {@code generation} files of the loaded TLS directories
 *       (client-facing and internode; only those the node uses), because a rotation may advance
 *       only when both carry the new material; 0 without TLS or without the files.
 * </ul>
 *
 * <p>Each material is reloaded on its own: a bad file keeps that material's previous version (and
 * its generation) while the others still load, and the call then fails with {@link
 * IllegalStateException} (FAILED_PRECONDITION) naming each file and why. Messages name files, lines
 * and key ids, never a secret. Thread-safe: the reloading classes synchronise their reloads.
 */
final class NodeSecrets implements SecretsReloader {
  private static final Logger logger = LoggerFactory.getLogger(NodeSecrets.class);

  private final ReloadingKeySet keys;
  private final PublicTls publicTls;
  private final Supplier<Optional<InternodeTls>> internodeTls;

  /**
   * @param publicTls null when the client-facing ports serve plaintext (development)
   * @param internodeTls the runtime's internode material; empty for plaintext or a node alone
   */
  NodeSecrets(
      ReloadingKeySet keys, PublicTls publicTls, Supplier<Optional<InternodeTls>> internodeTls) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.publicTls = publicTls;
    this.internodeTls = Objects.requireNonNull(internodeTls, "internodeTls");
  }

  @Override
  public Generations reload() {
    var failures = new ArrayList<String>();
    try {
      keys.reload();
    } catch (IOException | IllegalArgumentException e) {
      failures.add("API key set: " + e.getMessage());
    }
    if (publicTls != null) {
      try {
        publicTls.reload();
      } catch (IOException e) {
        failures.add("client-facing TLS: " + e.getMessage());
      }
    }
    Optional<InternodeTls> internode = internodeTls.get();
    if (internode.isPresent()) {
      try {
        internode.get().reload();
      } catch (IOException e) {
        failures.add("internode TLS: " + e.getMessage());
      }
    }
    Generations now = current();
    if (!failures.isEmpty()) {
      String message =
          "secrets not reloaded, the previous material stays in use: "
              + String.join("; ", failures)
              + ". Loaded now: "
              + now.message();
      logger.error("{}", message);
      throw new IllegalStateException(message);
    }
    logger.info("secrets reloaded on request: {}", now.message());
    return now;
  }

  @Override
  public Generations current() {
    long keySet = keys.get().generation();
    var message = new StringBuilder("key set ").append(keys.path()).append(" generation ");
    message.append(keySet);
    long certificate = Long.MAX_VALUE;
    if (publicTls != null) {
      certificate = publicTls.generation();
      message
          .append("; client-facing TLS ")
          .append(publicTls.directory())
          .append(" generation ")
          .append(publicTls.generation());
    }
    Optional<InternodeTls> internode = internodeTls.get();
    if (internode.isPresent()) {
      long g = internode.get().generation();
      certificate = Math.min(certificate, g);
      message
          .append("; internode TLS ")
          .append(internode.get().directory())
          .append(" generation ")
          .append(g);
    }
    if (certificate == Long.MAX_VALUE) {
      certificate = 0;
      message.append("; no TLS material");
    }
    return new Generations(keySet, certificate, message.toString());
  }
}
