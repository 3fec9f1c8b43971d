package io.allidb.dataplane.cluster.gossip;

import io.allidb.dataplane.cluster.proto.NodeStatus;
import io.allidb.dataplane.storage.io.FileIo;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The ring identity file, format version 1: one small file, {@value #FILE_NAME} in the node's data
 * directory, holding a {@link RingIdentity}. Stateless; all methods are thread-safe, but writers of
 * one directory must be serialized by the caller.
 *
 * <p>All integers are big-endian.
 *
 * <pre>
 *   u32  magic        0x414C5249 ("ALRI")
 *   u16  version      1
 *   u16  hostLength   1..{@link #MAX_HOST_BYTES}
 *   ...  host id      hostLength bytes of UTF-8
 *   u8   status       the {@code NodeStatus} number of internode.proto (1 JOINING, 2 NORMAL,
 *                     3 LEAVING, 4 LEFT)
 *   u64  ringEpoch    epoch published with these tokens
 *   u32  tokenCount   0..{@link #MAX_TOKENS}
 *   i64  token        tokenCount times, ascending
 *   u32  crc          CRC32C of every preceding byte
 * </pre>
 *
 * <p>The file is replaced atomically (temp file, fsync, rename, directory fsync), so a crash leaves
 * either the old or the new identity, never a mix. A file that is short, has the wrong magic or
 * version, a bad CRC or trailing bytes is reported as corrupt with its path: the node refuses to
 * start rather than take new tokens over data it may still own.
 */
public final class RingIdentityFormat {
  public static final String FILE_NAME = "ring-identity";

  /** "ALRI" in ASCII. */
  public static final int MAGIC = 0x414C5249;

  public static final short VERSION = 1;
  public static final int MAX_HOST_BYTES = 255;
  public static final int MAX_TOKENS = 4096;

  private RingIdentityFormat() {}

  /** The file's bytes for {@code identity}. */
  public static byte[] encode(RingIdentity identity) {
    byte[] host = identity.hostId().getBytes(StandardCharsets.UTF_8);
    if (host.length > MAX_HOST_BYTES) {
      throw new IllegalArgumentException("host id longer than " + MAX_HOST_BYTES + " bytes");
    }
    if (identity.tokens().size() > MAX_TOKENS) {
      throw new IllegalArgumentException(
          "at most " + MAX_TOKENS + " tokens; got " + identity.tokens().size());
    }
    var buf =
        ByteBuffer.allocate(4 + 2 + 2 + host.length + 1 + 8 + 4 + 8 * identity.tokens().size() + 4);
    buf.putInt(MAGIC).putShort(VERSION).putShort((short) host.length).put(host);
    buf.put((byte) identity.status().getNumber());
    buf.putLong(identity.ringEpoch());
    buf.putInt(identity.tokens().size());
    identity.tokens().forEach(buf::putLong);
    buf.putInt(crc(buf.array(), buf.position()));
    return buf.array();
  }

  /**
   * Parses a file's bytes.
   *
   * @param source named in error messages (the file's path)
   * @throws IOException describing the damage when the bytes are not a valid identity
   */
  public static RingIdentity decode(byte[] bytes, String source) throws IOException {
    var buf = ByteBuffer.wrap(bytes);
    try {
      int magic = buf.getInt();
      if (magic != MAGIC) {
        throw corrupt(source, String.format("bad magic 0x%08X", magic));
      }
      short version = buf.getShort();
      if (version != VERSION) {
        throw corrupt(
            source, "unsupported version " + version + " (this build reads " + VERSION + ")");
      }
      int hostLength = Short.toUnsignedInt(buf.getShort());
      if (hostLength < 1 || hostLength > MAX_HOST_BYTES) {
        throw corrupt(source, "host id length " + hostLength + " out of range");
      }
      byte[] host = new byte[hostLength];
      buf.get(host);
      NodeStatus status = NodeStatus.forNumber(Byte.toUnsignedInt(buf.get()));
      long epoch = buf.getLong();
      int count = buf.getInt();
      if (count < 0 || count > MAX_TOKENS) {
        throw corrupt(source, "token count " + count + " out of range");
      }
      var tokens = new ArrayList<Long>(count);
      for (int i = 0; i < count; i++) {
        tokens.add(buf.getLong());
      }
      int expected = crc(bytes, buf.position());
      int stored = buf.getInt();
      if (stored != expected) {
        throw corrupt(source, "CRC mismatch");
      }
      if (buf.hasRemaining()) {
        throw corrupt(source, buf.remaining() + " trailing bytes");
      }
      if (status == null || status == NodeStatus.NODE_STATUS_UNKNOWN) {
        throw corrupt(source, "unknown status");
      }
      return new RingIdentity(new String(host, StandardCharsets.UTF_8), status, tokens, epoch);
    } catch (BufferUnderflowException e) {
      throw corrupt(source, "truncated at " + bytes.length + " bytes");
    } catch (IllegalArgumentException e) {
      throw corrupt(source, e.getMessage());
    }
  }

  /** The identity saved in {@code dataDir}, or empty for a node that never joined a ring. */
  public static Optional<RingIdentity> load(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(decode(Files.readAllBytes(file), file.toString()));
  }

  /**
   * Durably replaces the identity in {@code dataDir}: temp file, fsync, rename, directory fsync.
   */
  public static void write(Path dataDir, RingIdentity identity) throws IOException {
    FileIo io = FileIo.real();
    io.createDirectories(dataDir);
    Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
    var bytes = ByteBuffer.wrap(encode(identity));
    try (var ch =
        io.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (bytes.hasRemaining()) {
        ch.write(bytes);
      }
      ch.force(true);
    } catch (IOException e) {
      io.deleteIfExists(tmp);
      throw e;
    }
    io.atomicMove(tmp, dataDir.resolve(FILE_NAME));
    io.syncDirectory(dataDir);
  }

  private static int crc(byte[] bytes, int length) {
    var crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private static IOException corrupt(String source, String why) {
    return new IOException(
        source
            + ": corrupt ring identity ("
            + why
            + "); the node will not start with new tokens over data it may own."
            + " Restore the file or, if the node's data is gone too, remove the directory");
  }
}
