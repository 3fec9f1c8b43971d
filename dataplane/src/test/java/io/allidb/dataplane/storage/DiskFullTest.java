package io.allidb.dataplane.storage;

import static io.allidb.dataplane.testing.Entities.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.allidb.dataplane.storage.StorageOptions.CompactionOptions;
import io.allidb.dataplane.storage.io.FaultInjectingFileIo;
import io.allidb.dataplane.storage.io.FileIo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk during flush or compaction surfaces as an error on the write path and loses nothing:
 * the memtable stays frozen and readable, its WAL segments stay on disk, and the engine carries on
 * once space returns.
 */
class DiskFullTest {
  @TempDir Path dir;

  /** Faults only for SSTable files: the WAL lives on a volume that still has room. */
  private static FileIo faultyTablesOnly(FaultInjectingFileIo faulty) {
    FileIo real = FileIo.real();
    return new FileIo() {
      private FileIo route(Path p) {
        return p.toString().contains("sstables") ? faulty : real;
      }

      @Override
      public FileChannel open(Path path, OpenOption... options) throws IOException {
        return route(path).open(path, options);
      }

      @Override
      public void syncDirectory(Path d) throws IOException {
        route(d).syncDirectory(d);
      }

      @Override
      public void atomicMove(Path source, Path target) throws IOException {
        route(target).atomicMove(source, target);
      }

      @Override
      public void deleteIfExists(Path path) throws IOException {
        route(path).deleteIfExists(path);
      }

      @Override
      public List<Path> list(Path d) throws IOException {
        return real.list(d);
      }

      @Override
      public void createDirectories(Path d) throws IOException {
        real.createDirectories(d);
      }
    };
  }

  private StorageOptions options(FileIo io) {
    return StorageOptions.builder(dir)
        .fileIo(io)
        .memtableBytes(32 << 10)
        .maxFrozenMemtables(1)
        .compaction(
            CompactionOptions.defaults()
                .withEnabled(false)
                .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50)))
        .build();
  }

  @Test
  void diskFullDuringFlushRefusesWritesKeepsDataAndRecovers() throws Exception {
    var faulty = new FaultInjectingFileIo();
    var acked = new ArrayList<String>();
    try (var engine = StorageEngine.open(options(faultyTablesOnly(faulty)))) {
      for (int i = 0; i < 50; i++) {
        engine.put("t", doc("before-" + i, "x".repeat(100)));
        acked.add("before-" + i);
      }
      faulty.failWritesAfterBytes(0);
      assertThatThrownBy(engine::flush)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("No space left on device");

      IOException refused = null;
      for (int i = 0; i < 10_000 && refused == null; i++) {
        try {
          engine.put("t", doc("during-" + i, "x".repeat(100)));
          acked.add("during-" + i);
        } catch (IOException e) {
          refused = e;
        }
      }
      assertThat(refused)
          .as("once the frozen slot is taken and the flush keeps failing, writes are refused")
          .isNotNull()
          .hasMessageContaining("flush is failing")
          .hasMessageContaining("No space left on device");
      for (String id : acked) {
        assertThat(engine.get("t", id)).as(id).isPresent();
      }
      assertThat(leftoverTempFiles()).isEmpty();

      faulty.heal();
      engine.flush();
      engine.put("t", doc("after", "x"));
      acked.add("after");
    }
    try (var engine = StorageEngine.open(options(FileIo.real()))) {
      for (String id : acked) {
        assertThat(engine.get("t", id)).as(id).isPresent();
      }
    }
  }

  @Test
  void diskFullDuringCompactionKeepsInputsLiveAndRetriesAfterSpaceReturns() throws Exception {
    var faulty = new FaultInjectingFileIo();
    try (var engine = StorageEngine.open(options(faultyTablesOnly(faulty)))) {
      for (int t = 0; t < 3; t++) {
        for (int i = 0; i < 20; i++) {
          engine.put("t", doc("k" + t + "-" + i, "v" + t));
        }
        engine.flush();
      }
      assertThat(engine.stats().liveSSTables()).isEqualTo(3);
      faulty.failWritesAfterBytes(1000);
      assertThatThrownBy(engine::compact).hasMessageContaining("No space left on device");
      assertThat(engine.stats().liveSSTables()).isEqualTo(3);
      assertThat(engine.stats().compactionFailures()).isPositive();
      assertThat(engine.scan("t", "", "", 100, "").entities()).hasSize(60);
      assertThat(leftoverTempFiles()).isEmpty();

      faulty.heal();
      engine.compact();
      assertThat(engine.stats().liveSSTables()).isEqualTo(1);
      assertThat(engine.scan("t", "", "", 100, "").entities()).hasSize(60);
    }
  }

  private List<Path> leftoverTempFiles() throws IOException {
    try (var s = Files.list(dir.resolve("sstables"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
