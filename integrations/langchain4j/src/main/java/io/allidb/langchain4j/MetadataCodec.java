package io.allidb.langchain4j;

import dev.langchain4j.data.document.Metadata;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * LangChain4j metadata as AlliDB chunk metadata (a string map). Each value is stored as its string
 * form, so the node's exact-equality chunk filter matches {@code isEqualTo(key, value)} for every
 * type; a value that is not a String also gets {@code allidb.type.<key>} = its type (INTEGER, LONG,
 * FLOAT, DOUBLE, UUID) so it reads back with its type and client-side comparisons (greater than,
 * ...) compare numbers, not strings. Keys starting with {@code allidb.} are reserved.
 */
final class MetadataCodec {
  static final String RESERVED_PREFIX = "allidb.";
  static final String TYPE_PREFIX = "allidb.type.";

  private MetadataCodec() {}

  static Map<String, String> encode(Metadata metadata) {
    var out = new HashMap<String, String>();
    metadata
        .toMap()
        .forEach(
            (key, value) -> {
              if (key.startsWith(RESERVED_PREFIX)) {
                throw new IllegalArgumentException(
                    "metadata key '"
                        + key
                        + "' uses the prefix '"
                        + RESERVED_PREFIX
                        + "', which AlliEmbeddingStore reserves");
              }
              out.put(key, String.valueOf(value));
              String type = typeOf(key, value);
              if (type != null) {
                out.put(TYPE_PREFIX + key, type);
              }
            });
    return out;
  }

  /** The string form the node compares for an equality filter on {@code value}. */
  static String filterValue(Object value) {
    return String.valueOf(value);
  }

  static Metadata decode(Map<String, String> stored) {
    var map = new HashMap<String, Object>();
    stored.forEach(
        (key, value) -> {
          if (key.startsWith(RESERVED_PREFIX)) {
            return;
          }
          String type = stored.get(TYPE_PREFIX + key);
          map.put(key, type == null ? value : parse(type, value));
        });
    return Metadata.from(map);
  }

  private static String typeOf(String key, Object value) {
    if (value instanceof String) {
      return null;
    } else if (value instanceof Integer) {
      return "INTEGER";
    } else if (value instanceof Long) {
      return "LONG";
    } else if (value instanceof Float) {
      return "FLOAT";
    } else if (value instanceof Double) {
      return "DOUBLE";
    } else if (value instanceof UUID) {
      return "UUID";
    }
    throw new IllegalArgumentException(
        "metadata '"
            + key
            + "' has type "
            + value.getClass().getName()
            + "; LangChain4j metadata holds String, UUID, Integer, Long, Float or Double");
  }

  private static Object parse(String type, String value) {
    return switch (type.toUpperCase(Locale.ROOT)) {
      case "INTEGER" -> Integer.valueOf(value);
      case "LONG" -> Long.valueOf(value);
      case "FLOAT" -> Float.valueOf(value);
      case "DOUBLE" -> Double.valueOf(value);
      case "UUID" -> UUID.fromString(value);
      default -> value; // written by a newer adapter: keep the string
    };
  }
}
