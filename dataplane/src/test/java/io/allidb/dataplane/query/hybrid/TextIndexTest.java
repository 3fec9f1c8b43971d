package io.allidb.dataplane.query.hybrid;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.TextChunk;
import io.allidb.dataplane.query.hybrid.TextIndex.TextHit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** BM25 over chunk text: analysis, ranking on a small corpus, updates, deletes, tenants. */
class TextIndexTest {
  private final TextIndex index = new TextIndex();

  @AfterEach
  void close() throws Exception {
    index.close();
  }

  private static Entity doc(String id, String... chunks) {
    var b = Entity.newBuilder().setEntityId(id);
    for (String c : chunks) {
      b.addChunks(TextChunk.newBuilder().setText(c));
    }
    return b.build();
  }

  private List<String> ids(String tenant, String query) throws Exception {
    return index.search(tenant, query, 10).stream().map(TextHit::entityId).toList();
  }

  private void corpus() {
    index.index(
        "t", doc("dynamo", "Dynamo is a highly available key-value store built by Amazon."));
    index.index("t", doc("raft", "Raft is a consensus algorithm designed to be understandable."));
    index.index(
        "t", doc("paxos", "Paxos is a family of consensus protocols.", "Lamport described Paxos."));
    index.index("t", doc("err", "Error ZX-4417: the WAL segment checksum did not match."));
    index.index("t", doc("novector", ""));
  }

  @Test
  void ranksTheDocumentsThatUseTheQueryTermsMost() throws Exception {
    corpus();
    assertThat(ids("t", "paxos consensus")).containsExactly("paxos", "raft");
    assertThat(ids("t", "Amazon's key-value stores")).first().isEqualTo("dynamo");
  }

  @Test
  void findsAnExactIdentifierAndStemsEnglish() throws Exception {
    corpus();
    assertThat(ids("t", "what does zx-4417 mean")).containsExactly("err");
    assertThat(ids("t", "checksums")).containsExactly("err"); // Porter: checksums -> checksum
  }

  @Test
  void aQueryOfStopWordsOnlyFindsNothing() throws Exception {
    corpus();
    assertThat(ids("t", "the of and")).isEmpty();
  }

  @Test
  void updatesReplaceAndDeletesRemoveAndEmptyTextRemoves() throws Exception {
    corpus();
    index.index("t", doc("raft", "Raft elects a leader with randomized timeouts."));
    assertThat(ids("t", "consensus")).containsExactly("paxos");
    index.remove("t", "paxos");
    assertThat(ids("t", "consensus")).isEmpty();
    index.index("t", doc("err"));
    assertThat(ids("t", "checksum")).isEmpty();
    assertThat(index.size("t")).isEqualTo(2);
  }

  @Test
  void tenantsNeverSeeEachOthersText() throws Exception {
    corpus();
    index.index("other", doc("secret", "Paxos consensus notes of another tenant."));
    assertThat(ids("t", "paxos")).doesNotContain("secret");
    assertThat(ids("other", "paxos")).containsExactly("secret");
    assertThat(ids("nobody", "paxos")).isEmpty();
  }
}
