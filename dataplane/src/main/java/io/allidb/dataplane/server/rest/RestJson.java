package io.allidb.dataplane.server.rest;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.allidb.api.proto.ConsistencyLevel;
import java.util.Locale;

/**
 * Proto JSON in and out of the REST mirror, with the original gateway's names: snake_case proto
 * field names, and {@code consistency_level} as a plain string.
 *
 * <p>Parsing is strict on purpose: an unknown field is a 400 naming it, because a misspelled {@code
 * "max_hop"} silently ignored would return plausible but wrong results.
 *
 * <p>Thread-safe: stateless ({@link JsonFormat} parsers and printers are immutable).
 */
final class RestJson {
  static final String CONSISTENCY_FIELD = "consistency_level";

  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private RestJson() {}

  /** A request the gateway rejects before calling the service (HTTP 400). */
  static final class BadRequestException extends Exception {
    BadRequestException(String message) {
      super(message);
    }
  }

  /**
   * Parses {@code body} into {@code builder}. When the message has a {@code consistency_level}
   * field, its string form is accepted (ONE, QUORUM, ALL in any case, or the proto names) and an
   * absent level means QUORUM, as in the original gateway (the proto3 default would be ONE).
   */
  static <B extends Message.Builder> B parse(String body, B builder) throws BadRequestException {
    JsonElement root;
    try {
      root = JsonParser.parseString(body);
    } catch (JsonParseException e) {
      throw new BadRequestException("invalid JSON: " + rootMessage(e));
    }
    if (!root.isJsonObject()) {
      throw new BadRequestException("invalid JSON: the request body must be a JSON object");
    }
    JsonObject object = root.getAsJsonObject();
    FieldDescriptor consistency = builder.getDescriptorForType().findFieldByName(CONSISTENCY_FIELD);
    ConsistencyLevel level = ConsistencyLevel.CONSISTENCY_QUORUM;
    if (consistency != null && object.has(CONSISTENCY_FIELD)) {
      level = consistencyLevel(object.remove(CONSISTENCY_FIELD));
    }
    try {
      PARSER.merge(object.toString(), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new BadRequestException("invalid JSON: " + rootMessage(e));
    }
    if (consistency != null) {
      builder.setField(consistency, level.getValueDescriptor());
    }
    return builder;
  }

  /**
   * The level a client names; null (absent) is QUORUM. Unlike the original, which silently read any
   * unknown string as QUORUM, a value that names no level is rejected: a typo in "ALL" must not
   * quietly weaken the write.
   */
  static ConsistencyLevel consistencyLevel(JsonElement value) throws BadRequestException {
    if (value == null || value.isJsonNull()) {
      return ConsistencyLevel.CONSISTENCY_QUORUM;
    }
    if (value instanceof JsonPrimitive p && p.isString()) {
      return consistencyLevel(p.getAsString());
    }
    throw new BadRequestException("consistency_level must be a string: ONE, QUORUM or ALL");
  }

  static ConsistencyLevel consistencyLevel(String value) throws BadRequestException {
    if (value == null) {
      return ConsistencyLevel.CONSISTENCY_QUORUM;
    }
    String name = value.trim().toUpperCase(Locale.ROOT);
    if (name.startsWith("CONSISTENCY_")) {
      name = name.substring("CONSISTENCY_".length());
    }
    return switch (name) {
      case "ONE" -> ConsistencyLevel.CONSISTENCY_ONE;
      case "QUORUM" -> ConsistencyLevel.CONSISTENCY_QUORUM;
      case "ALL" -> ConsistencyLevel.CONSISTENCY_ALL;
      default ->
          throw new BadRequestException(
              "consistency_level must be ONE, QUORUM or ALL; got \"" + value + "\"");
    };
  }

  /** Proto JSON with the proto field names, as the original gateway's bodies. */
  static String print(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      // only reachable with Any fields and no type registry; our messages have none
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  /** {@code {"error": message, "code": code}}. */
  static String error(String message, String code) {
    var o = new JsonObject();
    o.addProperty("error", message);
    o.addProperty("code", code);
    return o.toString();
  }

  /** {@code {"status": status}}. */
  static String status(String status) {
    var o = new JsonObject();
    o.addProperty("status", status);
    return o.toString();
  }

  /** Gson wraps its parse errors; the innermost message says where the JSON went wrong. */
  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m;
  }
}
