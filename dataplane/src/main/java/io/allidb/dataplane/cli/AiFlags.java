package io.allidb.dataplane.cli;

import io.allidb.dataplane.ai.AiHttp;
import io.allidb.dataplane.ai.AiOptions;
import io.allidb.dataplane.ai.AiOptions.EmbedOnWrite;
import io.allidb.dataplane.ai.AiOptions.EmbeddingOptions;
import io.allidb.dataplane.ai.AiOptions.LlmOptions;
import io.allidb.dataplane.ai.LocalEmbedder;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code allidb server}'s AI options (a picocli mixin): the embedding provider, embed on write and
 * the LLM. Keys are never options: they come from the variable {@code --*-secret-env} names, or the
 * file its {@code _FILE} twin names. Not thread-safe; filled once per invocation.
 */
final class AiFlags {
  @Option(
      names = "--embedding-provider",
      defaultValue = "local",
      description =
          "local (all-MiniLM-L6-v2, offline), openai, ollama, custom or none"
              + " (default: ${DEFAULT-VALUE}).")
  String provider;

  @Option(names = "--embedding-url", description = "Provider base URL (custom: the endpoint).")
  URI url;

  @Option(names = "--embedding-model", description = "Model name sent to the provider.")
  String model;

  @Option(
      names = "--embedding-dimension",
      defaultValue = "0",
      description = "The provider's vector dimension (local: 384).")
  int dimension;

  @Option(
      names = "--embedding-secret-env",
      description = "Variable holding the provider key (or <NAME>_FILE naming a file).")
  String secretEnv;

  @Option(
      names = "--embedding-timeout",
      defaultValue = "30s",
      converter = ClientOptions.DurationConverter.class,
      description = "Timeout of one provider call (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--embedding-retries",
      defaultValue = "3",
      description = "Retries of a failed provider call (default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(
      names = "--embed-on-write",
      defaultValue = "SYNC",
      description =
          "OFF, SYNC or QUEUE: embed entities written with text and no vector"
              + " (default: ${DEFAULT-VALUE}).")
  EmbedOnWrite embedOnWrite;

  @Option(
      names = "--llm-provider",
      defaultValue = "none",
      description = "LLM for ExtractEntities: openai, ollama or none (default: ${DEFAULT-VALUE}).")
  String llmProvider;

  @Option(names = "--llm-url", description = "LLM base URL.")
  URI llmUrl;

  @Option(names = "--llm-model", description = "LLM model name.")
  String llmModel;

  @Option(names = "--llm-secret-env", description = "Variable holding the LLM key (or _FILE).")
  String llmSecretEnv;

  @Option(
      names = "--extraction-retries",
      defaultValue = "2",
      description =
          "Extra LLM attempts when an answer fails validation (default: ${DEFAULT-VALUE}).")
  int extractionRetries;

  AiOptions options() {
    boolean local = provider.equalsIgnoreCase("local");
    int dim = dimension > 0 ? dimension : local ? LocalEmbedder.DIMENSION : 0;
    if (!local && !provider.equalsIgnoreCase("none") && dim == 0) {
      throw new IllegalArgumentException("--embedding-dimension is required for " + provider);
    }
    var policy =
        new AiHttp.Policy(timeout, retries, Duration.ofMillis(200), Duration.ofSeconds(20));
    var embeddings =
        new EmbeddingOptions(
            provider,
            url,
            local ? "all-MiniLM-L6-v2" : model,
            Math.max(dim, 1),
            false,
            64,
            secretEnv,
            null,
            null,
            policy,
            provider.equalsIgnoreCase("none") ? EmbedOnWrite.OFF : embedOnWrite,
            1024);
    LlmOptions none = LlmOptions.none();
    var llm =
        new LlmOptions(
            llmProvider, llmUrl, llmModel, llmSecretEnv, 0, 0, extractionRetries, none.http());
    return new AiOptions(embeddings, llm);
  }
}
