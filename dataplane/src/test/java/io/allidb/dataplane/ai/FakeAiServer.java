package io.allidb.dataplane.ai;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 that answers every POST with the next scripted reply, and records
 * each request's body and headers. Scripted replies can be delays (to trip client timeouts).
 */
public final class FakeAiServer implements AutoCloseable {
  public record Reply(int status, String body, Map<String, String> headers, long delayMillis) {
    public static Reply ok(String body) {
      return new Reply(200, body, Map.of(), 0);
    }

    static Reply status(int status, String body) {
      return new Reply(status, body, Map.of(), 0);
    }
  }

  record Seen(String path, String body, Map<String, List<String>> headers) {}

  private final HttpServer server;
  private final Deque<Reply> replies = new ArrayDeque<>();
  final List<Seen> requests = new ArrayList<>();
  private Reply fallback;

  public FakeAiServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  public URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public synchronized FakeAiServer then(Reply r) {
    replies.add(r);
    return this;
  }

  /** The reply once the script is used up. */
  public synchronized FakeAiServer always(Reply r) {
    fallback = r;
    return this;
  }

  public synchronized int count() {
    return requests.size();
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Reply r;
    synchronized (this) {
      requests.add(
          new Seen(ex.getRequestURI().getPath(), body, Map.copyOf(ex.getRequestHeaders())));
      r = replies.isEmpty() ? fallback : replies.poll();
    }
    if (r == null) {
      r = Reply.status(500, "{\"error\":\"no scripted reply\"}");
    }
    try {
      if (r.delayMillis() > 0) {
        Thread.sleep(r.delayMillis());
      }
      byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
      r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(r.status(), out.length);
      ex.getResponseBody().write(out);
    } catch (InterruptedException | IOException e) {
      // the client gave up (timeout): nothing to answer
    } finally {
      ex.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
