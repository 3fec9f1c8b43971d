package io.allidb.dataplane.storage.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The storage engine's only door to the file system.
 *
 * <p>Production uses {@link #real()}. Tests substitute an implementation that injects faults (disk
 * full, failing fsync) at chosen points; that is how "disk full during flush" is tested without a
 * full disk. Implementations must be thread-safe.
 */
public interface FileIo {

  /** Opens a file channel. */
  FileChannel open(Path path, OpenOption... options) throws IOException;

  /** Forces a directory's entries (creations, renames, deletions) to stable storage. */
  void syncDirectory(Path dir) throws IOException;

  /** Renames atomically, replacing the target if it exists. */
  void atomicMove(Path source, Path target) throws IOException;

  /** Deletes a file if it exists. */
  void deleteIfExists(Path path) throws IOException;

  /** Lists the regular files of a directory, sorted by name. */
  List<Path> list(Path dir) throws IOException;

  /** Creates a directory and its parents. */
  void createDirectories(Path dir) throws IOException;

  /** The file system itself. */
  static FileIo real() {
    return RealFileIo.INSTANCE;
  }

  /** The plain java.nio implementation. */
  final class RealFileIo implements FileIo {
    static final RealFileIo INSTANCE = new RealFileIo();

    private RealFileIo() {}

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
      return FileChannel.open(path, options);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
      // Linux allows fsync on a directory opened read-only; it persists its entries.
      try (var ch = FileChannel.open(dir, StandardOpenOption.READ)) {
        ch.force(true);
      }
    }

    @Override
    public void atomicMove(Path source, Path target) throws IOException {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void deleteIfExists(Path path) throws IOException {
      Files.deleteIfExists(path);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
      try (Stream<Path> s = Files.list(dir)) {
        return s.filter(Files::isRegularFile).sorted().toList();
      }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
      Files.createDirectories(dir);
    }
  }
}
