package io.allidb.dataplane.cluster.replica;

import com.google.common.hash.Hashing;
import com.google.protobuf.ByteString;
import io.allidb.dataplane.cluster.proto.RowDigest;
import io.allidb.dataplane.cluster.proto.StoredRow;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Conversions between stored rows and their internode messages, and the row digest replicas compare
 * on reads.
 *
 * <p>Thread-safe: stateless.
 */
public final class StoredRows {
  private StoredRows() {}

  /** A row as it travels between nodes. */
  public static StoredRow toProto(Row r) {
    return StoredRow.newBuilder()
        .setTenant(r.key().tenant())
        .setId(r.key().id())
        .setTimestampMicros(r.timestamp())
        .setTombstone(r.tombstone())
        .setExpiresAtMicros(r.expiresAtMicros())
        .setValue(ByteString.copyFrom(r.value()))
        .build();
  }

  /**
   * A row received from another node.
   *
   * @throws IllegalArgumentException naming the key when the row is invalid (empty key, timestamp
   *     not positive, a tombstone with a value)
   */
  public static Row fromProto(StoredRow p) {
    try {
      return new Row(
          RowKey.of(p.getTenant(), p.getId()),
          p.getTimestampMicros(),
          p.getTombstone(),
          p.getExpiresAtMicros(),
          p.getValue().toByteArray());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid row " + p.getTenant() + "/" + p.getId() + ": " + e.getMessage());
    }
  }

  public static List<Row> fromProto(List<StoredRow> rows) {
    var out = new ArrayList<Row>(rows.size());
    rows.forEach(p -> out.add(fromProto(p)));
    return out;
  }

  public static List<StoredRow> toProto(List<Row> rows) {
    var out = new ArrayList<StoredRow>(rows.size());
    rows.forEach(r -> out.add(toProto(r)));
    return out;
  }

  /**
   * The digest of a replica's version of a key: timestamp and tombstone in clear (so the
   * coordinator knows which replica is behind without a data read), and a Murmur3 hash over
   * everything last-write-wins compares. Timestamp 0 and hash 0 mean the replica holds no row.
   */
  public static RowDigest digest(RowKey key, Optional<Row> row) {
    var d = RowDigest.newBuilder().setTenant(key.tenant()).setId(key.id());
    row.ifPresent(
        r -> d.setTimestampMicros(r.timestamp()).setTombstone(r.tombstone()).setHash(hash(r)));
    return d.build();
  }

  /** The hash part of {@link #digest}. */
  public static long hash(Row r) {
    return Hashing.murmur3_128()
        .newHasher()
        .putLong(r.timestamp())
        .putBoolean(r.tombstone())
        .putLong(r.expiresAtMicros())
        .putBytes(r.value())
        .hash()
        .asLong();
  }

  /** Token ranges of a request; at least one is required (use the full ring for everything). */
  public static List<TokenRange> ranges(List<io.allidb.dataplane.cluster.proto.TokenRange> ranges) {
    if (ranges.isEmpty()) {
      throw new IllegalArgumentException("at least one token range is required");
    }
    var out = new ArrayList<TokenRange>(ranges.size());
    ranges.forEach(r -> out.add(new TokenRange(r.getStart(), r.getEnd())));
    return out;
  }

  /** Token ranges for a request. */
  public static List<io.allidb.dataplane.cluster.proto.TokenRange> toProtoRanges(
      List<TokenRange> ranges) {
    var out = new ArrayList<io.allidb.dataplane.cluster.proto.TokenRange>(ranges.size());
    for (TokenRange r : ranges) {
      out.add(
          io.allidb.dataplane.cluster.proto.TokenRange.newBuilder()
              .setStart(r.start())
              .setEnd(r.end())
              .build());
    }
    return out;
  }

  /** Whether any of the ranges holds the token. */
  public static boolean anyContains(List<TokenRange> ranges, long token) {
    for (TokenRange r : ranges) {
      if (r.contains(token)) {
        return true;
      }
    }
    return false;
  }
}
