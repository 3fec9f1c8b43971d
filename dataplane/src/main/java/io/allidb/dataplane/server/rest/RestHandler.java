package io.allidb.dataplane.server.rest;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.Message;
import io.allidb.api.proto.AlliDBGrpc;
import io.allidb.api.proto.BatchPutEntitiesRequest;
import io.allidb.api.proto.BatchPutEntitiesResponse;
import io.allidb.api.proto.DeleteEntityRequest;
import io.allidb.api.proto.ExtractEntitiesRequest;
import io.allidb.api.proto.GetEntityRequest;
import io.allidb.api.proto.HealthCheckRequest;
import io.allidb.api.proto.HealthCheckResponse;
import io.allidb.api.proto.PutEntityRequest;
import io.allidb.api.proto.QueryRequest;
import io.allidb.api.proto.RangeScanRequest;
import io.allidb.dataplane.server.ApiKeyAuthInterceptor;
import io.allidb.dataplane.server.rest.RestJson.BadRequestException;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one HTTP request to the node's gRPC service and writes the answer.
 *
 * <p>Routes: {@code POST /entity}, {@code POST /entities/batch} (206 when some entities failed),
 * {@code POST /query}, {@code POST /scan}, {@code POST /extract}, {@code GET|DELETE /entity/{id}},
 * {@code GET /health} (200 or 503), {@code GET /metrics}, {@code GET /livez}, {@code GET /readyz}.
 * The last four need no API key; every other route forwards the {@code x-allidb-api-key} header as
 * the call's credential, so the gRPC interceptor decides, exactly as for gRPC clients.
 *
 * <p>Not shareable: one instance per connection (Netty's pipeline).
 */
final class RestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger logger = LoggerFactory.getLogger(RestHandler.class);
  private static final String JSON = "application/json; charset=utf-8";
  private static final Metadata.Key<String> API_KEY = ApiKeyAuthInterceptor.API_KEY;

  /** What every connection's handler shares. Thread-safe. */
  static final class Backend {
    final Duration deadline;
    final BooleanSupplier ready;
    final PrometheusRegistry metrics;
    volatile Channel channel;

    Backend(Duration deadline, BooleanSupplier ready, PrometheusRegistry metrics) {
      this.deadline = deadline;
      this.ready = ready;
      this.metrics = metrics;
    }
  }

  /** Allowed methods per fixed path; {@code /entity/{id}} is handled apart. */
  private static final Map<String, List<HttpMethod>> ROUTES =
      Map.of(
          "/entity", List.of(HttpMethod.POST),
          "/entities/batch", List.of(HttpMethod.POST),
          "/query", List.of(HttpMethod.POST),
          "/scan", List.of(HttpMethod.POST),
          "/extract", List.of(HttpMethod.POST),
          "/health", List.of(HttpMethod.GET),
          "/metrics", List.of(HttpMethod.GET),
          "/livez", List.of(HttpMethod.GET),
          "/readyz", List.of(HttpMethod.GET));

  private static final String ENTITY_PREFIX = "/entity/";

  private final Backend backend;

  RestHandler(Backend backend) {
    this.backend = backend;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      writeJson(ctx, 400, RestJson.error("malformed HTTP request", "InvalidArgument"), false);
      return;
    }
    var uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    HttpMethod method = request.method();
    List<HttpMethod> allowed =
        path.startsWith(ENTITY_PREFIX) && path.length() > ENTITY_PREFIX.length()
            ? List.of(HttpMethod.GET, HttpMethod.DELETE)
            : ROUTES.get(path);
    if (allowed == null) {
      writeJson(ctx, 404, RestJson.error("no route for " + path, "NotFound"), keepAlive);
      return;
    }
    if (!allowed.contains(method)) {
      FullHttpResponse r =
          response(
              405,
              RestJson.error("method " + method + " not allowed on " + path, "Unimplemented"),
              JSON);
      r.headers()
          .set(
              HttpHeaderNames.ALLOW,
              String.join(", ", allowed.stream().map(HttpMethod::name).toList()));
      write(ctx, r, keepAlive);
      return;
    }
    try {
      route(ctx, request, uri, path, method, keepAlive);
    } catch (BadRequestException e) {
      writeJson(ctx, 400, RestJson.error(e.getMessage(), "InvalidArgument"), keepAlive);
    }
  }

  private void route(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      QueryStringDecoder uri,
      String path,
      HttpMethod method,
      boolean keepAlive)
      throws BadRequestException {
    switch (path) {
      case "/livez" -> writeJson(ctx, 200, RestJson.status("alive"), keepAlive);
      case "/readyz" -> {
        boolean ready = backend.ready.getAsBoolean() && backend.channel != null;
        writeJson(
            ctx, ready ? 200 : 503, RestJson.status(ready ? "ready" : "not ready"), keepAlive);
      }
      case "/metrics" -> writeMetrics(ctx, keepAlive);
      case "/health" -> {
        var stub = stub(ctx, request, false, keepAlive);
        if (stub != null) {
          call(
              ctx,
              keepAlive,
              stub.healthCheck(HealthCheckRequest.getDefaultInstance()),
              r -> ((HealthCheckResponse) r).getHealthy() ? 200 : 503);
        }
      }
      case "/entity" -> {
        var body = RestJson.parse(body(request), PutEntityRequest.newBuilder()).build();
        var stub = stub(ctx, request, true, keepAlive);
        if (stub != null) {
          call(ctx, keepAlive, stub.putEntity(body), r -> 200);
        }
      }
      case "/entities/batch" -> {
        var body = RestJson.parse(body(request), BatchPutEntitiesRequest.newBuilder()).build();
        var stub = stub(ctx, request, true, keepAlive);
        if (stub != null) {
          call(
              ctx,
              keepAlive,
              stub.batchPutEntities(body),
              r -> ((BatchPutEntitiesResponse) r).getSuccess() ? 200 : 206);
        }
      }
      case "/query" -> {
        var body = RestJson.parse(body(request), QueryRequest.newBuilder()).build();
        var stub = stub(ctx, request, true, keepAlive);
        if (stub != null) {
          call(ctx, keepAlive, stub.query(body), r -> 200);
        }
      }
      case "/extract" -> {
        var body = RestJson.parse(body(request), ExtractEntitiesRequest.newBuilder()).build();
        var stub = stub(ctx, request, true, keepAlive);
        if (stub != null) {
          call(ctx, keepAlive, stub.extractEntities(body), r -> 200);
        }
      }
      case "/scan" -> {
        var body = RestJson.parse(body(request), RangeScanRequest.newBuilder()).build();
        var stub = stub(ctx, request, true, keepAlive);
        if (stub != null) {
          call(ctx, keepAlive, stub.rangeScan(body), r -> 200);
        }
      }
      default -> {
        // /entity/{id}: the id is one path segment, percent-decoded
        String id = QueryStringDecoder.decodeComponent(path.substring(ENTITY_PREFIX.length()));
        List<String> levels = uri.parameters().get(RestJson.CONSISTENCY_FIELD);
        var level = RestJson.consistencyLevel(levels == null ? null : levels.get(0));
        var stub = stub(ctx, request, true, keepAlive);
        if (stub == null) {
          return;
        }
        if (method.equals(HttpMethod.GET)) {
          call(
              ctx,
              keepAlive,
              stub.getEntity(
                  GetEntityRequest.newBuilder().setEntityId(id).setConsistencyLevel(level).build()),
              r -> 200);
        } else {
          call(
              ctx,
              keepAlive,
              stub.deleteEntity(
                  DeleteEntityRequest.newBuilder()
                      .setEntityId(id)
                      .setConsistencyLevel(level)
                      .build()),
              r -> 200);
        }
      }
    }
  }

  private static String body(FullHttpRequest request) {
    return request.content().toString(StandardCharsets.UTF_8);
  }

  /**
   * A future stub with the call deadline and, when {@code withKey}, the request's API key header as
   * metadata; null (after answering 503) while the service is not attached yet.
   */
  private AlliDBGrpc.AlliDBFutureStub stub(
      ChannelHandlerContext ctx, FullHttpRequest request, boolean withKey, boolean keepAlive) {
    Channel channel = backend.channel;
    if (channel == null) {
      writeJson(ctx, 503, RestJson.error("node is starting", "Unavailable"), keepAlive);
      return null;
    }
    var stub =
        AlliDBGrpc.newFutureStub(channel)
            .withDeadlineAfter(backend.deadline.toNanos(), TimeUnit.NANOSECONDS);
    String key = withKey ? request.headers().get(ApiKeyAuthInterceptor.API_KEY.name()) : null;
    if (key != null) {
      var md = new Metadata();
      md.put(API_KEY, key);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
    return stub;
  }

  private static <R extends Message> void call(
      ChannelHandlerContext ctx,
      boolean keepAlive,
      ListenableFuture<R> future,
      Function<Message, Integer> statusOf) {
    Futures.addCallback(
        future,
        new FutureCallback<R>() {
          @Override
          public void onSuccess(R response) {
            writeJson(ctx, statusOf.apply(response), RestJson.print(response), keepAlive);
          }

          @Override
          public void onFailure(Throwable t) {
            Status s = Status.fromThrowable(t);
            if (s.getCode() == Status.Code.UNKNOWN) {
              logger.warn("REST call failed", t);
            }
            String message = s.getDescription() != null ? s.getDescription() : s.getCode().name();
            writeJson(
                ctx,
                HttpStatuses.httpStatus(s.getCode()),
                RestJson.error(message, HttpStatuses.codeName(s.getCode())),
                keepAlive);
          }
        },
        MoreExecutors.directExecutor());
  }

  private void writeMetrics(ChannelHandlerContext ctx, boolean keepAlive) {
    var writer = PrometheusTextFormatWriter.create();
    var buf = ctx.alloc().buffer();
    try (var out = new ByteBufOutputStream(buf)) {
      writer.write(out, backend.metrics.scrape());
    } catch (IOException | RuntimeException e) {
      buf.release();
      logger.warn("metrics scrape failed", e);
      writeJson(ctx, 500, RestJson.error("metrics scrape failed", "Internal"), keepAlive);
      return;
    }
    var r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
    write(ctx, r, keepAlive);
  }

  static void writeJson(ChannelHandlerContext ctx, int status, String json, boolean keepAlive) {
    write(ctx, response(status, json, JSON), keepAlive);
  }

  private static FullHttpResponse response(int status, String body, String contentType) {
    var r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    return r;
  }

  private static void write(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
    HttpUtil.setContentLength(r, r.content().readableBytes());
    if (keepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(r);
    } else {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("REST connection failed", cause);
    ctx.close();
  }
}
