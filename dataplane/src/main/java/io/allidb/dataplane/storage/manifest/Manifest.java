package io.allidb.dataplane.storage.manifest;

import io.allidb.dataplane.storage.io.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Reads and atomically replaces the manifest file of a data directory. Callers serialize writes
 * (the engine holds its state lock); reads happen only at open.
 */
public final class Manifest {
  private Manifest() {}

  /** The manifest of a directory, or empty when there is none (a new data directory). */
  public static Optional<ManifestState> load(Path dir, FileIo io) throws IOException {
    Path file = dir.resolve(ManifestFormat.FILE_NAME);
    if (!java.nio.file.Files.exists(file)) {
      return Optional.empty();
    }
    try (var ch = io.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > (64L << 20)) {
        throw new IOException(file + ": manifest of " + size + " bytes is implausibly large");
      }
      var buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          throw new IOException(file + ": manifest shrank while reading");
        }
      }
      return Optional.of(ManifestFormat.decode(buf.array(), file.toString()));
    }
  }

  /** Durably replaces the manifest: temp file, fsync, rename, directory fsync. */
  public static void write(Path dir, FileIo io, ManifestState state) throws IOException {
    Path tmp = dir.resolve(ManifestFormat.FILE_NAME + ".tmp");
    Path file = dir.resolve(ManifestFormat.FILE_NAME);
    var bytes = ByteBuffer.wrap(ManifestFormat.encode(state));
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
    io.atomicMove(tmp, file);
    io.syncDirectory(dir);
  }
}
