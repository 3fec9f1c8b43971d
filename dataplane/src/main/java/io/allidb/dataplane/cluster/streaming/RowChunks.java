package io.allidb.dataplane.cluster.streaming;

import io.allidb.dataplane.cluster.proto.StoredRow;
import io.allidb.dataplane.cluster.proto.StreamRowsReply;
import io.allidb.dataplane.cluster.proto.StreamRowsRequest;
import io.allidb.dataplane.cluster.replica.StoredRows;
import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.storage.StorageEngine;
import io.allidb.dataplane.storage.row.Row;
import io.allidb.dataplane.storage.row.RowKey;
import java.io.IOException;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The chunks of range streaming: the sending side pages its rows in token ranges (every tenant,
 * tombstones included) and checksums each page; the receiving side verifies the checksum before
 * applying anything. Used by bootstrap, decommission and repair alike. Stateless; thread-safe.
 *
 * <p>Flow control is pull-based: a receiver asks for the next page only after it applied the last,
 * so a slow receiver slows the sender instead of buffering without bound, and the position (the
 * last key received) is all a receiver must remember to resume after a restart.
 */
public final class RowChunks {
  /** Rows per page when the request says nothing (the storage engine's maximum). */
  public static final int MAX_ROWS = 10_000;

  /** Value bytes per page when the request says nothing: well under gRPC's message limit. */
  public static final long DEFAULT_MAX_BYTES = 2L << 20;

  private RowChunks() {}

  /** Serves one page of a {@code StreamRows} request from local storage. */
  public static StreamRowsReply serve(StorageEngine storage, StreamRowsRequest request)
      throws IOException {
    List<TokenRange> ranges = StoredRows.ranges(request.getRangesList());
    int limit = request.getLimit() == 0 ? 1000 : request.getLimit();
    if (limit < 1 || limit > MAX_ROWS) {
      throw new IllegalArgumentException("limit must be in [1, " + MAX_ROWS + "]; got " + limit);
    }
    long maxBytes =
        request.getMaxBytes() <= 0
            ? DEFAULT_MAX_BYTES
            : Math.min(request.getMaxBytes(), DEFAULT_MAX_BYTES * 4);
    RowKey after =
        request.getAfterTenant().isEmpty() && request.getAfterId().isEmpty()
            ? null
            : RowKey.of(request.getAfterTenant(), request.getAfterId());
    StorageEngine.RowPage page =
        storage.scanAllRows(
            after,
            limit,
            maxBytes,
            k -> StoredRows.anyContains(ranges, Murmur3Partitioner.token(k.tenant(), k.id())));
    var reply = StreamRowsReply.newBuilder().setExhausted(page.exhausted());
    var crc = new CRC32C();
    for (Row r : page.rows()) {
      StoredRow p = StoredRows.toProto(r);
      crc.update(p.toByteArray());
      reply.addRows(p);
    }
    return reply.setCrc32C((int) crc.getValue()).build();
  }

  /**
   * The rows of a received page, after checking its checksum.
   *
   * @throws IOException when the checksum does not match (the page is not applied; the caller asks
   *     for it again from the same position)
   */
  public static List<Row> verify(String source, StreamRowsReply reply) throws IOException {
    var crc = new CRC32C();
    for (StoredRow p : reply.getRowsList()) {
      crc.update(p.toByteArray());
    }
    if ((int) crc.getValue() != reply.getCrc32C()) {
      throw new IOException(
          "stream chunk from "
              + source
              + " failed its checksum ("
              + reply.getRowsCount()
              + " rows): stored 0x"
              + Integer.toHexString(reply.getCrc32C())
              + ", computed 0x"
              + Long.toHexString(crc.getValue()));
    }
    return StoredRows.fromProto(reply.getRowsList());
  }
}
