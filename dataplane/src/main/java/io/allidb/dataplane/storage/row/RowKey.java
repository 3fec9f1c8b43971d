package io.allidb.dataplane.storage.row;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The primary key of a stored row: (tenant, entity id).
 *
 * <p>Keys sort by the tenant's UTF-8 bytes, then the id's UTF-8 bytes, both compared unsigned. All
 * rows of one tenant are therefore contiguous, which is what keeps a scan inside its tenant. The
 * UTF-8 forms are computed once and kept, because every comparison in the memtable and the SSTables
 * uses them.
 *
 * <p>Immutable and thread-safe.
 */
public final class RowKey implements Comparable<RowKey> {
  /** Longest tenant name in UTF-8 bytes. */
  public static final int MAX_TENANT_BYTES = 256;

  /** Longest entity id in UTF-8 bytes. */
  public static final int MAX_ID_BYTES = 1024;

  private final String tenant;
  private final String id;
  private final byte[] tenantBytes;
  private final byte[] idBytes;
  private final int hash;

  private RowKey(String tenant, String id, byte[] tenantBytes, byte[] idBytes) {
    this.tenant = tenant;
    this.id = id;
    this.tenantBytes = tenantBytes;
    this.idBytes = idBytes;
    this.hash = 31 * Arrays.hashCode(tenantBytes) + Arrays.hashCode(idBytes);
  }

  /**
   * Returns the key for an entity of a tenant.
   *
   * @throws IllegalArgumentException when the tenant or the id is empty or too long
   */
  public static RowKey of(String tenant, String id) {
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    byte[] i = id.getBytes(StandardCharsets.UTF_8);
    validate(t, i);
    return new RowKey(tenant, id, t, i);
  }

  /** Decodes a key from its two UTF-8 parts, as stored in the WAL and SSTables. */
  public static RowKey fromBytes(byte[] tenantBytes, byte[] idBytes) {
    validate(tenantBytes, idBytes);
    return new RowKey(
        new String(tenantBytes, StandardCharsets.UTF_8),
        new String(idBytes, StandardCharsets.UTF_8),
        tenantBytes,
        idBytes);
  }

  /**
   * A range bound inside a tenant: like {@link #of} but the id may be empty, which sorts before
   * every id of the tenant. Only for scan bounds, never for a stored row.
   */
  public static RowKey lowerBound(String tenant, String idOrEmpty) {
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    byte[] i = idOrEmpty.getBytes(StandardCharsets.UTF_8);
    validate(t, i.length == 0 ? new byte[1] : i);
    return new RowKey(tenant, idOrEmpty, t, i);
  }

  /** The smallest key after every key of a tenant: an exclusive upper bound for a tenant scan. */
  public static RowKey tenantEnd(String tenant) {
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    validate(t, new byte[1]);
    // (tenant + 0x00, "") sorts after (tenant, any id) and before any other tenant.
    byte[] after = Arrays.copyOf(t, t.length + 1);
    return new RowKey(tenant + '\0', "", after, new byte[0]);
  }

  private static void validate(byte[] t, byte[] i) {
    if (t.length == 0 || t.length > MAX_TENANT_BYTES) {
      throw new IllegalArgumentException(
          "tenant must be 1.." + MAX_TENANT_BYTES + " UTF-8 bytes; got " + t.length);
    }
    if (i.length == 0 || i.length > MAX_ID_BYTES) {
      throw new IllegalArgumentException(
          "entity id must be 1.." + MAX_ID_BYTES + " UTF-8 bytes; got " + i.length);
    }
  }

  public String tenant() {
    return tenant;
  }

  public String id() {
    return id;
  }

  /** The tenant's UTF-8 bytes. Callers must not modify the array. */
  public byte[] tenantBytes() {
    return tenantBytes;
  }

  /** The id's UTF-8 bytes. Callers must not modify the array. */
  public byte[] idBytes() {
    return idBytes;
  }

  /** Approximate heap and disk footprint of the key, for size accounting. */
  public int encodedSize() {
    return tenantBytes.length + idBytes.length + 4;
  }

  @Override
  public int compareTo(RowKey o) {
    int c = Arrays.compareUnsigned(tenantBytes, o.tenantBytes);
    return c != 0 ? c : Arrays.compareUnsigned(idBytes, o.idBytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RowKey k
        && hash == k.hash
        && Arrays.equals(tenantBytes, k.tenantBytes)
        && Arrays.equals(idBytes, k.idBytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return tenant + "/" + id;
  }
}
