package io.allidb.dataplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.allidb.dataplane.security.KeyRejectedException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key set: format, lifecycle of one key, layouts and hot reload. */
class KeySetTest {
  private static final Instant NOW = Instant.parse("2026-01-15T12:00:00Z");
  private static final String SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t-000";

  @TempDir Path dir;

  private static String line(String id, String tenant, String scopes, String extra) {
    return KeySetFormat.format(
            KeySetFormat.entryFor(id + "." + SECRET, tenant, Scope.parseList(scopes), null, null))
        + (extra.isEmpty() ? "" : " " + extra);
  }

  private static KeySet set(String... lines) {
    return KeySet.parse(java.util.Map.of("keys", List.of(lines)));
  }

  private static Reason rejected(KeySet set, String presented) {
    try {
      set.authenticate(presented, NOW);
    } catch (KeyRejectedException e) {
      assertThat(e.getMessage()).doesNotContain(SECRET);
      return e.reason();
    }
    throw new AssertionError("accepted " + presented.substring(0, presented.indexOf('.')));
  }

  @Test
  void validKeyAuthenticatesToItsTenantAndScopes() throws Exception {
    KeySet s = set(line("k1", "acme", "read,write", ""));
    Principal p = s.authenticate("k1." + SECRET, NOW);
    assertThat(p.keyId()).isEqualTo("k1");
    assertThat(p.tenant()).isEqualTo("acme");
    assertThat(p.scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.WRITE);
  }

  @Test
  void wrongSecretUnknownIdAndMalformedKeysAreRefusedAlike() {
    KeySet s = set(line("k1", "acme", "read", ""));
    assertThat(rejected(s, "k1." + SECRET + "x")).isEqualTo(Reason.INVALID);
    assertThat(rejected(s, "k2." + SECRET)).isEqualTo(Reason.INVALID);
    assertThat(rejected(s, SECRET)).isEqualTo(Reason.MALFORMED);
    assertThat(rejected(s, "k1.")).isEqualTo(Reason.MALFORMED);
    assertThat(rejected(s, ".k1")).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void expiredAndNotYetValidKeysGetDistinctMessagesNamingTheIdOnly() {
    KeySet s =
        set(
            line("old", "acme", "read", "expires=2026-01-01T00:00:00Z"),
            line("edge", "acme", "read", "expires=" + NOW),
            line("future", "acme", "read", "not-before=2026-02-01T00:00:00Z"));
    assertThatThrownBy(() -> s.authenticate("old." + SECRET, NOW))
        .hasMessage("API key old expired at 2026-01-01T00:00:00Z");
    assertThat(rejected(s, "edge." + SECRET)).isEqualTo(Reason.EXPIRED);
    assertThatThrownBy(() -> s.authenticate("future." + SECRET, NOW))
        .hasMessage("API key future is not valid before 2026-02-01T00:00:00Z");
    // a wrong secret for an expired id says "invalid", not "expired": the id alone opens nothing
    assertThat(rejected(s, "old.wrong-wrong-wrong-wrong")).isEqualTo(Reason.INVALID);
    assertThat(s.validAt(NOW)).isZero();
    assertThat(s.validAt(Instant.parse("2026-02-02T00:00:00Z"))).isEqualTo(1);
  }

  @Test
  void twoKeysOfOneTenantAreValidTogetherDuringRotation() throws Exception {
    var next = ApiKeyGenerator.mint("acme-2", "acme", EnumSet.of(Scope.READ), null, null);
    KeySet s =
        set(
            line("acme-1", "acme", "read", "expires=2026-01-20T00:00:00Z"),
            KeySetFormat.format(next.entry()));
    assertThat(s.authenticate("acme-1." + SECRET, NOW).tenant()).isEqualTo("acme");
    assertThat(s.authenticate(next.presented(), NOW).tenant()).isEqualTo("acme");
  }

  @Test
  void formatRoundTripsAndLegacyLinesStillLoad() throws Exception {
    var e =
        KeySetFormat.entryFor(
            "k." + SECRET,
            "acme",
            EnumSet.of(Scope.ADMIN, Scope.READ),
            Instant.parse("2026-01-01T00:00:00Z"),
            Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(KeySetFormat.parse(List.of(KeySetFormat.format(e)), "f")).containsExactly(e);
    KeySet legacy = set("legacy-1." + SECRET + " acme");
    Principal p = legacy.authenticate("legacy-1." + SECRET, NOW);
    assertThat(p.scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.WRITE);
    assertThat(e.toString()).doesNotContain(KeySetFormat.format(e).split(" ")[1].substring(7));
  }

  @Test
  void malformedLinesNameFileLineAndIdButNeverASecret() {
    assertThatThrownBy(() -> set("# c", "k1 sha256:abcd tenant=t scopes=read"))
        .hasMessageContaining("keys line 2: key k1: hash must be 64 hex digits");
    assertThatThrownBy(() -> set(line("k1", "t", "read", "expires=tomorrow")))
        .hasMessageContaining("keys line 1: key k1: expires must be an ISO-8601 instant");
    assertThatThrownBy(() -> set(line("k1", "t", "read", "color=blue")))
        .hasMessageContaining("unknown field 'color'");
    assertThatThrownBy(() -> set(line("k1", "t", "read", "").replace("read", "root")))
        .hasMessageContaining("unknown scope 'root'");
    assertThatThrownBy(() -> set("k1." + SECRET + " acme extra"))
        .hasMessageContaining("keys line 1: expected")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> set("k1.short acme"))
        .hasMessageContaining("key k1: the secret must be 16+")
        .hasMessageNotContaining("short");
    assertThatThrownBy(() -> set(line("k1", "t", "read", ""), line("k1", "u", "read", "")))
        .hasMessageContaining("duplicate key id k1");
  }

  @Test
  void directoryLayoutSkipsKubernetesDotEntries() throws Exception {
    Path mount = kubernetesMount(dir.resolve("secret"), "v1", line("k1", "acme", "read", ""));
    KeySet s = KeySet.load(mount);
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.authenticate("k1." + SECRET, NOW).tenant()).isEqualTo("acme");
  }

  @Test
  void reloadsWhenASecretMountSwapsItsDataSymlinkAndRemovedKeysStopWorking() throws Exception {
    Path mount = kubernetesMount(dir.resolve("secret"), "v1", line("k1", "acme", "read", ""));
    try (var keys = ReloadingKeySet.start(mount, Duration.ofMillis(200))) {
      assertThat(keys.get().authenticate("k1." + SECRET, NOW).tenant()).isEqualTo("acme");
      // rotation step 1: add k2 next to k1
      swap(mount, "v2", line("k1", "acme", "read", "") + "\n" + line("k2", "acme", "read", ""));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(keys.get().authenticate("k2." + SECRET, NOW).keyId()).isEqualTo("k2"));
      assertThat(keys.get().authenticate("k1." + SECRET, NOW).keyId()).isEqualTo("k1");
      // rotation step 2: remove k1
      swap(mount, "v3", line("k2", "acme", "read", ""));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(keys.get().size()).isEqualTo(1));
      assertThat(rejected(keys.get(), "k1." + SECRET)).isEqualTo(Reason.INVALID);
    }
  }

  @Test
  void aMalformedReloadKeepsThePreviousSet() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, line("k1", "acme", "read", "") + "\n");
    try (var keys = ReloadingKeySet.start(file, Duration.ofHours(1))) {
      // replaced atomically: the watch thread must never read a truncated (empty, valid) file
      replace(file, "garbage\n");
      assertThat(keys.check()).isFalse();
      assertThat(keys.get().authenticate("k1." + SECRET, NOW).keyId()).isEqualTo("k1");
      replace(file, line("k2", "acme", "read", "") + "\n");
      keys.check(); // the watch thread may have been first
      assertThat(keys.get().authenticate("k2." + SECRET, NOW).keyId()).isEqualTo("k2");
    }
  }

  @Test
  void aNodeNeverStartsWithAnEmptyKeySet() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "# nothing\n");
    assertThatThrownBy(() -> ReloadingKeySet.start(file, Duration.ofSeconds(1)))
        .hasMessageContaining("no API keys");
  }

  /** Replaces {@code file} in one rename, as the kubelet updates a Secret. */
  private static void replace(Path file, String content) throws Exception {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A directory laid out like a mounted Secret: keys -> ..data/keys, ..data -> ..v1. */
  static Path kubernetesMount(Path mount, String version, String content) throws Exception {
    Files.createDirectories(mount.resolve(".." + version));
    Files.writeString(mount.resolve(".." + version).resolve("keys"), content + "\n");
    Files.createSymbolicLink(mount.resolve("..data"), Path.of(".." + version));
    Files.createSymbolicLink(mount.resolve("keys"), Path.of("..data/keys"));
    return mount;
  }

  /** What the kubelet does on a Secret update: new version dir, atomic rename of ..data. */
  static void swap(Path mount, String version, String content) throws Exception {
    Files.createDirectories(mount.resolve(".." + version));
    Files.writeString(mount.resolve(".." + version).resolve("keys"), content + "\n");
    Path tmp = mount.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, Path.of(".." + version));
    Files.move(tmp, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
  }
}
