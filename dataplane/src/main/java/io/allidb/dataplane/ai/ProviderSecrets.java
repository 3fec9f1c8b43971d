package io.allidb.dataplane.ai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * An AI provider's credential from the environment or a file, the two ways Kubernetes hands secrets
 * to a pod: {@code NAME} holds the value, or {@code NAME_FILE} names a file holding it (a mounted
 * Secret; surrounding whitespace is stripped). {@code NAME} wins when both are set. The file is
 * re-read on every {@link #get}, so a rotated Secret applies to the next call without a restart.
 *
 * <p>Values never appear in messages, {@code toString()} or logs: errors name the variable and the
 * file only. (The security work carries a general {@code SecretSource} with the same contract; this
 * one stays private to the AI providers until that lands.) Thread-safe.
 */
public final class ProviderSecrets {
  private final UnaryOperator<String> env;

  private ProviderSecrets(UnaryOperator<String> env) {
    this.env = env;
  }

  /** Reads the process environment. */
  public static ProviderSecrets environment() {
    return new ProviderSecrets(System::getenv);
  }

  /** Reads a fixed map instead of the environment (tests). */
  public static ProviderSecrets of(Map<String, String> variables) {
    Map<String, String> copy = Map.copyOf(variables);
    return new ProviderSecrets(copy::get);
  }

  /**
   * The secret {@code name}, or empty when neither {@code name} nor {@code name_FILE} is set.
   *
   * @throws IOException when {@code name_FILE} is set but unreadable or empty
   */
  public Optional<String> get(String name) throws IOException {
    Objects.requireNonNull(name, "name");
    String direct = env.apply(name);
    if (direct != null && !direct.isBlank()) {
      return Optional.of(direct.strip());
    }
    String file = env.apply(name + "_FILE");
    if (file == null || file.isBlank()) {
      return Optional.empty();
    }
    String value;
    try {
      value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IOException(
          "cannot read secret " + name + " from " + name + "_FILE=" + file + ": " + e.getClass());
    }
    if (value.isEmpty()) {
      throw new IOException("secret " + name + ": file " + file + " (" + name + "_FILE) is empty");
    }
    return Optional.of(value);
  }
}
