package io.allidb.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The interim key file: parsing, lookup, and errors that never echo a secret. */
class ApiKeysTest {
  private static final String SECRET = "s3cretS3cretS3cret";

  @Test
  void mapsEachKeyToItsTenantAndRejectsUnknownOrPartialKeys() {
    var keys =
        ApiKeys.parse(
            List.of(
                "# comment", "", "ops." + SECRET + "   tenant-1", "  app.abcdefghijklmnop t2  "),
            "keys");
    assertThat(keys.size()).isEqualTo(2);
    assertThat(keys.authenticate("ops." + SECRET))
        .contains(new ApiKeys.Principal("ops", "tenant-1"));
    assertThat(keys.authenticate("app.abcdefghijklmnop"))
        .get()
        .extracting(ApiKeys.Principal::tenant)
        .isEqualTo("t2");
    assertThat(keys.authenticate("ops." + SECRET + "x")).isEmpty();
    assertThat(keys.authenticate("ops")).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
  }

  @Test
  void malformedLinesNameTheLineButNeverTheSecret() {
    assertThatThrownBy(() -> ApiKeys.parse(List.of("ops." + SECRET), "keys"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keys line 1")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> ApiKeys.parse(List.of("#", "ops.short t"), "keys"))
        .hasMessageContaining("keys line 2")
        .hasMessageNotContaining("short");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("ops." + SECRET + " bad/tenant"), "keys"))
        .hasMessageContaining("invalid tenant for key ops")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(
            () -> ApiKeys.parse(List.of("a." + SECRET + " t", "a." + SECRET + " u"), "keys"))
        .hasMessageContaining("line 2: duplicate key a")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void fileWithoutKeysIsRejected() {
    assertThatThrownBy(() -> ApiKeys.parse(List.of("# nothing"), "keys"))
        .hasMessage("keys: no API keys");
  }
}
