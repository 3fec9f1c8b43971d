package io.allidb.dataplane.cluster.streaming;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The envelope of a node's small state files (streaming progress, repair history), format version
 * 1. Stateless; thread-safe per file as long as one writer owns each file.
 *
 * <pre>
 *   u32  magic      0x414C5354 ("ALST")
 *   u16  version    1
 *   u16  reserved   0
 *   u32  length     payload bytes
 *   ...  payload    a protobuf message of {@code allidb/state/v1/state.proto}
 *   u32  crc        CRC32C of every preceding byte
 * </pre>
 *
 * <p>Big-endian. A file is replaced whole: written to {@code <name>.tmp}, fsynced, renamed over the
 * old one and the directory fsynced, so a crash leaves the old or the new state, never a mix. A
 * damaged file (bad magic, version, length or CRC) is reported as an {@link IOException} naming the
 * file; it is never silently treated as absent, since that would restart a stream from scratch or
 * forget that a range was repaired.
 */
public final class StateFileFormat {
  public static final int MAGIC = 0x414C5354;
  public static final short VERSION = 1;
  private static final int HEADER = 4 + 2 + 2 + 4;

  private StateFileFormat() {}

  public static byte[] encode(Message message) {
    byte[] payload = message.toByteArray();
    var buf = ByteBuffer.allocate(HEADER + payload.length + 4);
    buf.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putInt(payload.length).put(payload);
    var crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    return buf.array();
  }

  public static <T extends Message> T decode(Path file, byte[] bytes, Parser<T> parser)
      throws IOException {
    if (bytes.length < HEADER + 4) {
      throw new IOException(file + ": state file too short (" + bytes.length + " bytes)");
    }
    var buf = ByteBuffer.wrap(bytes);
    int magic = buf.getInt();
    short version = buf.getShort();
    buf.getShort();
    int length = buf.getInt();
    if (magic != MAGIC) {
      throw new IOException(
          file + ": not a state file (magic 0x" + Integer.toHexString(magic) + ")");
    }
    if (version != VERSION) {
      throw new IOException(file + ": unsupported state file version " + version);
    }
    if (length < 0 || length != bytes.length - HEADER - 4) {
      throw new IOException(file + ": payload length " + length + " does not match the file size");
    }
    var crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw new IOException(file + ": state file checksum mismatch");
    }
    try {
      return parser.parseFrom(ByteBuffer.wrap(bytes, HEADER, length));
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(file + ": state payload does not parse: " + e.getMessage(), e);
    }
  }

  /** The state in {@code file}, or empty when it does not exist. */
  public static <T extends Message> Optional<T> read(Path file, Parser<T> parser)
      throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(decode(file, Files.readAllBytes(file), parser));
  }

  /** Replaces {@code file} atomically and durably; see the class comment. */
  public static void write(Path file, Message message) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    try (var ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      var buf = ByteBuffer.wrap(encode(message));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    try (var d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some file systems cannot fsync a directory; the rename is still atomic there
    }
  }
}
