package io.allidb.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.MethodDescriptor;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts the attempts (first call plus retries) gRPC makes beneath each logical call. */
final class AttemptCounter implements ClientInterceptor {
  final AtomicInteger attempts = new AtomicInteger();

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    var factory =
        new ClientStreamTracer.Factory() {
          @Override
          public ClientStreamTracer newClientStreamTracer(
              ClientStreamTracer.StreamInfo info, io.grpc.Metadata headers) {
            attempts.incrementAndGet();
            return new ClientStreamTracer() {};
          }
        };
    return next.newCall(method, options.withStreamTracerFactory(factory));
  }
}
