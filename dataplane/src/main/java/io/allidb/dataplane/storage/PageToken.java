package io.allidb.dataplane.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * Opaque, resumable scan position: the last key returned, not an offset, so a page token stays
 * correct while rows are inserted, deleted, flushed and compacted between pages.
 *
 * <p>Encoding (then base64url without padding): u8 version (1), u32 CRC32C of the tenant's UTF-8
 * bytes, u32 id length, id bytes, u32 CRC32C of everything before. Cluster scans use the same
 * token: they are ordered by id too, so the last id is the whole position. The tenant checksum
 * makes a token presented for another tenant fail clearly instead of silently scanning from an
 * unrelated position; it grants nothing, since the tenant always comes from the caller.
 */
public final class PageToken {
  private static final int VERSION = 1;

  private PageToken() {}

  /** A token resuming a tenant's scan after {@code lastId}. */
  public static String encode(String tenant, String lastId) {
    byte[] id = lastId.getBytes(StandardCharsets.UTF_8);
    var buf = ByteBuffer.allocate(1 + 4 + 4 + id.length + 4);
    buf.put((byte) VERSION).putInt(crc(tenant.getBytes(StandardCharsets.UTF_8)));
    buf.putInt(id.length).put(id);
    var crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
  }

  /**
   * Returns the last id a token points after.
   *
   * @throws IllegalArgumentException when the token is malformed or belongs to another tenant
   */
  public static String decode(String tenant, String token) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid page token: not base64url");
    }
    if (raw.length < 13) {
      throw new IllegalArgumentException("invalid page token: too short");
    }
    var crc = new CRC32C();
    crc.update(raw, 0, raw.length - 4);
    var buf = ByteBuffer.wrap(raw);
    if ((int) crc.getValue() != buf.getInt(raw.length - 4)) {
      throw new IllegalArgumentException("invalid page token: checksum mismatch");
    }
    if (buf.get() != VERSION) {
      throw new IllegalArgumentException("invalid page token: unknown version");
    }
    if (buf.getInt() != crc(tenant.getBytes(StandardCharsets.UTF_8))) {
      throw new IllegalArgumentException("invalid page token: issued for another tenant");
    }
    int len = buf.getInt();
    if (len < 0 || len != raw.length - 13) {
      throw new IllegalArgumentException("invalid page token: bad length");
    }
    return new String(raw, 9, len, StandardCharsets.UTF_8);
  }

  private static int crc(byte[] bytes) {
    var crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }
}
