package io.allidb.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/**
 * Sends the API key as {@code x-allidb-api-key} on every call (docs/security.md). The key never
 * appears in {@link #toString()}, so logging a client or its settings cannot leak it.
 */
final class ApiKeyCredentials extends CallCredentials {
  static final Metadata.Key<String> HEADER =
      Metadata.Key.of("x-allidb-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final String key;

  ApiKeyCredentials(String key) {
    this.key = key;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    var md = new Metadata();
    md.put(HEADER, key);
    applier.apply(md);
  }

  @Override
  public String toString() {
    int dot = key.indexOf('.');
    return "ApiKey[" + (dot > 0 ? key.substring(0, dot) : "?") + ", secret redacted]";
  }
}
