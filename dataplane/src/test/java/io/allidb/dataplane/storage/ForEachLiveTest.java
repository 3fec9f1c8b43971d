package io.allidb.dataplane.storage;

import static io.allidb.dataplane.testing.Entities.doc;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForEachLiveTest {
  @TempDir Path dir;

  @Test
  void visitsTheLatestLiveVersionOfEveryTenantsEntitiesInKeyOrder() throws Exception {
    try (var engine = StorageEngine.open(StorageOptions.builder(dir).build())) {
      engine.put("b", doc("x", "b-x-1"));
      engine.put("a", doc("y", "a-y-1"));
      engine.put("a", doc("gone", "a-gone"));
      engine.flush(); // older versions in an SSTable, newer ones in the memtable
      engine.put("a", doc("y", "a-y-2"));
      engine.put("a", doc("x", "a-x-1"));
      engine.delete("a", "gone");
      engine.put("c", doc("z", "c-z-1"));

      var seen = new ArrayList<String>();
      engine.forEachLive(
          (tenant, e) -> seen.add(tenant + "/" + e.getEntityId() + "=" + e.getChunks(0).getText()));

      assertThat(seen).containsExactly("a/x=a-x-1", "a/y=a-y-2", "b/x=b-x-1", "c/z=c-z-1");
    }
  }

  @Test
  void visitsNothingInAnEmptyEngine() throws Exception {
    try (var engine = StorageEngine.open(StorageOptions.builder(dir).build())) {
      List<String> seen = new ArrayList<>();
      engine.forEachLive((tenant, e) -> seen.add(e.getEntityId()));
      assertThat(seen).isEmpty();
    }
  }
}
