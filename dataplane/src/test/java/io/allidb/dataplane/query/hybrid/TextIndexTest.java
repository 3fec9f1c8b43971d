package io.allidb.dataplane.query.hybrid;

import static org.assertj.core.api.Assertions.assertThat;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.TextChunk;
import io.allidb.dataplane.cluster.ring.TokenRange;
import io.allidb.dataplane.query.hybrid.TextIndex.TextHit;
import io.allidb.dataplane.query.hybrid.TextIndex.TextStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
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

  @Test
  void rangeSearchesWithSummedStatisticsRankAsTheWholeIndex() throws Exception {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println("[seed] TextIndexTest.rangeSearches -Dtests.seed=" + seed);
    var rnd = new Random(seed);
    String[] words = {"raft", "paxos", "quorum", "leader", "log", "term", "vote", "commit"};
    for (int i = 0; i < 200; i++) {
      var sb = new StringBuilder("the");
      for (int w = rnd.nextInt(12); w >= 0; w--) {
        sb.append(' ').append(words[(int) (words.length * Math.pow(rnd.nextDouble(), 2))]);
      }
      index.index("t", doc("d" + i, sb.toString()));
    }
    index.index("t", doc("stopwords", "the of and")); // no terms: counted nowhere, as Lucene does
    // the ring cut at 1,300 random tokens, the ranges dealt alternately to two sets: disjoint,
    // together the whole ring, each more ranges than one Lucene query may hold
    long[] cuts = rnd.longs(1_300).sorted().toArray();
    var first = new ArrayList<TokenRange>();
    var second = new ArrayList<TokenRange>();
    for (int i = 0; i < cuts.length; i++) {
      var range = new TokenRange(cuts[i], cuts[(i + 1) % cuts.length]); // the last one wraps
      (i % 2 == 0 ? first : second).add(range);
    }
    String query = "paxos leader commit";
    TextStats stats = index.stats("t", query, first).plus(index.stats("t", query, second));
    assertThat(stats.docCount()).isEqualTo(200);
    assertThat(stats).isEqualTo(index.stats("t", query, List.of(TokenRange.fullRing())));

    var merged = new ArrayList<TextHit>();
    merged.addAll(index.search("t", query, 15, first, stats));
    merged.addAll(index.search("t", query, 15, second, stats));
    merged.sort(
        Comparator.comparingDouble((TextHit h) -> h.score())
            .reversed()
            .thenComparing(TextHit::entityId));
    List<TextHit> whole = index.search("t", query, 15);
    assertThat(merged.subList(0, 15).stream().map(TextHit::entityId))
        .containsExactlyElementsOf(whole.stream().map(TextHit::entityId).toList());
    for (int i = 0; i < 15; i++) {
      assertThat(merged.get(i).score()).isCloseTo(whole.get(i).score(), Offset.offset(1e-5f));
    }
    // each half alone, with its own statistics, scores differently: the statistics matter
    assertThat(index.search("t", query, 1, first, index.stats("t", query, first)).get(0).score())
        .isNotEqualTo(index.search("t", query, 1, first, stats).get(0).score());
  }

  @Test
  void tiesAreBrokenById() throws Exception {
    for (String id : List.of("c", "a", "b")) {
      index.index("t", doc(id, "same words here"));
    }
    assertThat(ids("t", "words")).containsExactly("a", "b", "c");
  }
}
