package io.allidb.dataplane.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Secrets for outside services (an AI provider's API key) from the environment or a file, the two
 * ways Kubernetes hands them to a pod: {@code NAME} holds the value, or {@code NAME_FILE} names a
 * file holding it (a mounted Secret; surrounding whitespace is stripped). {@code NAME} wins when
 * both are set. Files are re-read on every {@link #get}, so a rotated Secret takes effect without a
 * restart.
 *
 * <p>The value comes back wrapped in {@link Secret}, whose {@code toString()} is redacted, so it
 * cannot reach a log line by accident. Thread-safe.
 */
public final class SecretSource {
  private final Function<String, String> env;

  private SecretSource(Function<String, String> env) {
    this.env = env;
  }

  /** Reads the process environment. */
  public static SecretSource environment() {
    return new SecretSource(System::getenv);
  }

  /** Reads a fixed map instead of the environment (tests). */
  public static SecretSource of(Map<String, String> variables) {
    Map<String, String> copy = Map.copyOf(variables);
    return new SecretSource(copy::get);
  }

  /** A secret value; {@link #toString()} never shows it. */
  public static final class Secret {
    private final String name;
    private final String value;

    private Secret(String name, String value) {
      this.name = name;
      this.value = value;
    }

    /** The value, for the one place that sends it (an HTTP header of a provider call). */
    public String reveal() {
      return value;
    }

    public String name() {
      return name;
    }

    @Override
    public String toString() {
      return "Secret[" + name + ", redacted]";
    }
  }

  /**
   * The secret {@code name}, or empty when neither {@code name} nor {@code name_FILE} is set.
   *
   * @throws IOException when {@code name_FILE} is set but unreadable or empty (the message names
   *     the variable and the file, never the content)
   */
  public Optional<Secret> get(String name) throws IOException {
    Objects.requireNonNull(name, "name");
    String direct = env.apply(name);
    if (direct != null && !direct.isBlank()) {
      return Optional.of(new Secret(name, direct.strip()));
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
          "cannot read secret " + name + " from " + name + "_FILE=" + file + ": " + e, null);
    }
    if (value.isEmpty()) {
      throw new IOException("secret " + name + ": file " + file + " (" + name + "_FILE) is empty");
    }
    return Optional.of(new Secret(name, value));
  }

  /**
   * Like {@link #get} but required.
   *
   * @throws IOException naming both variables when neither is set
   */
  public Secret require(String name) throws IOException {
    return get(name)
        .orElseThrow(
            () ->
                new IOException(
                    "secret " + name + " is not set (set " + name + " or " + name + "_FILE)"));
  }
}
