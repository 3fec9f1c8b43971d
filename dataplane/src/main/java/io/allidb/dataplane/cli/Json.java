package io.allidb.dataplane.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * Proto JSON for the CLI, with the API's snake_case field names (the REST mirror's format), so a
 * file that {@code allidb put} reads can also be POSTed to {@code /entity}.
 *
 * <p>Thread-safe: stateless.
 */
final class Json {
  private static final JsonFormat.Printer PRETTY = JsonFormat.printer().preservingProtoFieldNames();
  private static final JsonFormat.Printer LINE =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private Json() {}

  /** Strict: an unknown field fails, naming it. */
  static <B extends Message.Builder> B parse(String json, B builder)
      throws InvalidProtocolBufferException {
    JsonFormat.parser().merge(json, builder);
    return builder;
  }

  static String pretty(MessageOrBuilder m) {
    return print(PRETTY, m);
  }

  static String line(MessageOrBuilder m) {
    return print(LINE, m);
  }

  private static String print(JsonFormat.Printer p, MessageOrBuilder m) {
    try {
      return p.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
