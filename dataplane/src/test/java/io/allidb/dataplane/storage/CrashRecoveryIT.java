package io.allidb.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.Entity;
import io.allidb.dataplane.testing.Seeds;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with real process death: a child JVM writes concurrently in {@code SYNC} mode and is
 * killed with SIGKILL at 24 random moments over the same data directory (with flushes and
 * compactions running). After every kill the directory is reopened and checked:
 *
 * <ul>
 *   <li>every acknowledged write is present, at its acknowledged version or a newer one;
 *   <li>no batch is half-visible: for every batch with any key present, all its keys are present.
 * </ul>
 */
class CrashRecoveryIT {
  private static final int KILLS = 24;

  @TempDir Path dir;

  @Test
  void acknowledgedWritesSurviveSigkillAndBatchesAreNeverHalfVisible() throws Exception {
    long seed = Seeds.seed("acknowledgedWritesSurviveSigkillAndBatchesAreNeverHalfVisible");
    var rnd = new Random(seed);
    Map<String, Integer> acked = new HashMap<>();
    for (int gen = 0; gen < KILLS; gen++) {
      int ackedBefore = acked.size();
      runAndKill(gen, rnd, acked);
      assertThat(acked.size())
          .as("generation %d acknowledged writes before the kill (seed %d)", gen, seed)
          .isGreaterThan(ackedBefore);
      verify(acked, "after kill " + gen + " (seed " + seed + ")");
    }
  }

  private void runAndKill(int gen, Random rnd, Map<String, Integer> acked) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            CrashWriterMain.class.getName(),
            dir.toString(),
            "16",
            Long.toString(rnd.nextLong()),
            Integer.toString(gen));
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process child = pb.start();
    int killAfterAcks = 20 + rnd.nextInt(400);
    var seen = new AtomicInteger();
    var lines = new ArrayList<String>();
    var reader =
        new Thread(
            () -> {
              try (var in =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (lines) {
                    lines.add(line);
                  }
                  seen.incrementAndGet();
                }
              } catch (Exception ignored) {
                // the pipe breaks when the child dies
              }
            },
            "crash-reader");
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (seen.get() < killAfterAcks && child.isAlive() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.sleep(1);
    }
    assertThat(child.isAlive()).as("child died on its own").isTrue();
    child.destroyForcibly(); // SIGKILL on Linux
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    reader.join(TimeUnit.SECONDS.toMillis(30));
    synchronized (lines) {
      for (String line : lines) {
        // a line cut by the kill has no newline and never reached readLine as complete text,
        // except as the last line: accept only well-formed ones
        if (!line.startsWith("ACK ")) {
          continue;
        }
        for (String kv : line.substring(4).split(",")) {
          int eq = kv.indexOf('=');
          if (eq < 0 || eq == kv.length() - 1) {
            continue;
          }
          acked.merge(kv.substring(0, eq), Integer.parseInt(kv.substring(eq + 1)), Math::max);
        }
      }
    }
  }

  private void verify(Map<String, Integer> acked, String when) throws Exception {
    try (var engine = StorageEngine.open(StorageOptions.builder(dir).build())) {
      for (var e : acked.entrySet()) {
        Entity got = engine.get("crash", e.getKey()).orElse(null);
        assertThat(got).as("acknowledged %s missing %s", e.getKey(), when).isNotNull();
        assertThat(version(got))
            .as("version of %s %s", e.getKey(), when)
            .isGreaterThanOrEqualTo(e.getValue());
      }
      Map<String, List<String>> batches = new HashMap<>();
      Map<String, Integer> sizes = new HashMap<>();
      String token = "";
      do {
        ScanPage page = engine.scan("crash", "", "", 1000, token);
        for (Entity en : page.entities()) {
          String id = en.getEntityId();
          String batch = id.substring(0, id.lastIndexOf('-'));
          batches.computeIfAbsent(batch, b -> new ArrayList<>()).add(id);
          sizes.put(batch, Integer.parseInt(batch.substring(batch.lastIndexOf('x') + 1)));
        }
        token = page.nextPageToken();
      } while (!token.isEmpty());
      for (var b : batches.entrySet()) {
        assertThat(b.getValue())
            .as("batch %s is half-visible %s", b.getKey(), when)
            .hasSize(sizes.get(b.getKey()));
      }
    }
    assertThat(Files.exists(dir.resolve("MANIFEST"))).isTrue();
  }

  private static int version(Entity e) {
    return Integer.parseInt(e.getChunks(0).getText().split(":")[0]);
  }
}
