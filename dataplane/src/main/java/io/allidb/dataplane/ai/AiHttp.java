package io.allidb.dataplane.ai;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * JSON over HTTP for the AI providers: one {@link HttpClient}, a per-call timeout, and retries with
 * exponential backoff and jitter (resilience4j {@link Retry}) that honour the server's {@code
 * Retry-After} (seconds or an HTTP date, capped at {@code maxBackoff}).
 *
 * <p>Retried: timeouts, connection failures, 408, 429, 5xx, and answers the caller's parser rejects
 * (a malformed body is usually a transient proxy or gateway page). Not retried: other 4xx (a wrong
 * key or model will not fix itself). Headers (credentials) never reach a message or a log.
 *
 * <p>Thread-safe.
 */
public final class AiHttp {
  private static final int BODY_IN_MESSAGE = 300;

  /** Timeouts and retry budget of one provider. */
  public record Policy(
      Duration timeout, int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    public Policy {
      if (timeout.isNegative() || timeout.isZero() || maxRetries < 0) {
        throw new IllegalArgumentException(
            "need a positive timeout and maxRetries >= 0; got " + timeout + ", " + maxRetries);
      }
    }

    /** 30 s per call, 3 retries from 200 ms, backoff at most 20 s. */
    public static Policy defaults() {
      return new Policy(Duration.ofSeconds(30), 3, Duration.ofMillis(200), Duration.ofSeconds(20));
    }
  }

  private final String provider;
  private final HttpClient client;
  private final Policy policy;
  private final AiMetrics.Family metrics;
  private final Retry retry;

  public AiHttp(String provider, Policy policy, AiMetrics.Family metrics) {
    this.provider = provider;
    this.policy = policy;
    this.metrics = metrics;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(policy.timeout())
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    IntervalBiFunction<Object> interval =
        (attempt, outcome) -> {
          Throwable t = outcome.isLeft() ? outcome.getLeft() : null;
          if (t instanceof AiProviderException e && e.retryAfter() != null) {
            return Math.min(e.retryAfter().toMillis(), policy.maxBackoff().toMillis());
          }
          long base = policy.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
          long capped = Math.min(base, policy.maxBackoff().toMillis());
          return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        };
    this.retry =
        Retry.of(
            provider,
            RetryConfig.custom()
                .maxAttempts(policy.maxRetries() + 1)
                .intervalBiFunction(interval)
                .retryOnException(e -> e instanceof AiProviderException p && p.retryable())
                .failAfterMaxAttempts(false)
                .build());
    retry.getEventPublisher().onRetry(e -> metrics.retries().labelValues(provider).inc());
  }

  public String provider() {
    return provider;
  }

  public Policy policy() {
    return policy;
  }

  /**
   * POSTs {@code body} as JSON and returns what {@code parse} makes of the answer, retrying as the
   * class comment says. {@code parse} throws {@link JsonParseException} or {@link
   * IllegalStateException} for an answer of the wrong shape.
   *
   * @throws AiProviderException when every attempt failed (the last failure's message)
   */
  public <T> T postJson(
      URI uri, Map<String, String> headers, JsonElement body, Function<JsonElement, T> parse)
      throws AiProviderException {
    byte[] payload = body.toString().getBytes(StandardCharsets.UTF_8);
    try {
      return Retry.decorateCheckedSupplier(retry, () -> attempt(uri, headers, payload, parse))
          .get();
    } catch (AiProviderException e) {
      throw e;
    } catch (Throwable t) {
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new AiProviderException(provider + ": " + t, false, t);
    }
  }

  private <T> T attempt(
      URI uri, Map<String, String> headers, byte[] payload, Function<JsonElement, T> parse)
      throws AiProviderException, InterruptedException {
    var request =
        HttpRequest.newBuilder(uri)
            .timeout(policy.timeout())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
    headers.forEach(request::header);
    long start = System.nanoTime();
    try {
      HttpResponse<String> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (HttpTimeoutException e) {
        throw new AiProviderException(
            provider + ": no answer from " + uri + " within " + policy.timeout(), true, e);
      } catch (ConnectException e) {
        throw new AiProviderException(provider + ": cannot connect to " + uri + ": " + e, true, e);
      } catch (IOException e) {
        throw new AiProviderException(provider + ": " + uri + " failed: " + e, true, e);
      }
      int status = response.statusCode();
      if (status / 100 != 2) {
        boolean retryable = status == 408 || status == 429 || status >= 500;
        throw new AiProviderException(
            provider + ": HTTP " + status + " from " + uri + ": " + excerpt(response.body()),
            retryable,
            status,
            retryAfter(response));
      }
      try {
        T parsed = parse.apply(JsonParser.parseString(response.body()));
        metrics.outcome(provider, "ok");
        return parsed;
      } catch (RuntimeException e) { // JsonParseException, a missing field (NPE), a wrong type
        throw new AiProviderException(
            provider
                + ": malformed answer from "
                + uri
                + " ("
                + e.getMessage()
                + "): "
                + excerpt(response.body()),
            true,
            e);
      }
    } catch (AiProviderException e) {
      metrics.outcome(provider, "error");
      throw e;
    } finally {
      metrics.seconds().labelValues(provider).observe((System.nanoTime() - start) / 1e9);
    }
  }

  /** {@code Retry-After} as delta-seconds or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(HttpResponse<?> response) {
    String v = response.headers().firstValue("Retry-After").orElse(null);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim())));
    } catch (NumberFormatException notSeconds) {
      try {
        var at = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }

  private static String excerpt(String body) {
    String b = body == null ? "" : body.strip();
    return b.length() <= BODY_IN_MESSAGE ? b : b.substring(0, BODY_IN_MESSAGE) + "...";
  }
}
