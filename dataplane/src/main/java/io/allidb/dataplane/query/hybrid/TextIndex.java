package io.allidb.dataplane.query.hybrid;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.TextChunk;
import io.allidb.dataplane.cluster.ring.Murmur3Partitioner;
import io.allidb.dataplane.cluster.ring.TokenRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.QueryBuilder;

/**
 * BM25 over entities' chunk text, one in-memory Lucene index per tenant, so term statistics (and so
 * scores) never mix tenants. The text of an entity is its chunks' texts joined by newlines,
 * analyzed by Lucene's {@link EnglishAnalyzer} (standard tokenizer, lower case, English stop words,
 * possessives, Porter stemming); a query is the same analysis of the query text, each term an
 * optional clause scored by {@link BM25Similarity} (k1 1.2, b 0.75).
 *
 * <p>Kept in step with storage by the entity indexer: every write, delete and applied replica row
 * updates it before the write is acknowledged, and it is rebuilt from storage at open (it is not
 * persisted: a rebuild costs one analysis per entity). A search first refreshes the tenant's
 * near-real-time reader, so an acknowledged write is visible to the next query.
 *
 * <p>Each document also keeps its entity's ring token ({@link Murmur3Partitioner}) and its length
 * in tokens as doc values, so a replica can search and count only the token ranges a coordinator
 * asked it for ({@link #search(String, String, int, List, TextStats)}, {@link #stats}): the BM25
 * scatter of {@code docs/ai.md}.
 *
 * <p>Thread-safe (Lucene's writer and searcher manager are).
 */
public final class TextIndex implements AutoCloseable {
  static final String ID = "id";
  static final String TEXT = "text";
  static final String TOKEN = "token";
  static final String LENGTH = "length";

  /** One hit: the entity and its BM25 score. */
  public record TextHit(String entityId, float score) {}

  /** Best first, ties by id in UTF-8 byte order (Lucene's order of the sorted id doc values). */
  public static final Comparator<TextHit> BEST_FIRST =
      Comparator.comparingDouble((TextHit h) -> h.score())
          .reversed()
          .thenComparing(
              (a, b) ->
                  Arrays.compareUnsigned(
                      a.entityId().getBytes(StandardCharsets.UTF_8),
                      b.entityId().getBytes(StandardCharsets.UTF_8)));

  /**
   * The BM25 statistics of some documents for one query: how many documents have text ({@code
   * docCount}), their total length in tokens ({@code sumLength}: Lucene's sumTotalTermFreq) and,
   * per analyzed query term, how many contain it. Statistics of disjoint sets of documents add up
   * ({@link #plus}), which is what lets a coordinator compute a cluster's statistics from one
   * replica per token range.
   */
  public record TextStats(long docCount, long sumLength, Map<String, Long> docFreq) {
    public TextStats {
      docFreq = Map.copyOf(docFreq);
    }

    public static final TextStats EMPTY = new TextStats(0, 0, Map.of());

    public TextStats plus(TextStats other) {
      var df = new HashMap<>(docFreq);
      other.docFreq.forEach((term, n) -> df.merge(term, n, Long::sum));
      return new TextStats(docCount + other.docCount, sumLength + other.sumLength, df);
    }
  }

  private final Analyzer analyzer = new EnglishAnalyzer();
  private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private final class Tenant {
    final IndexWriter writer;
    final SearcherManager searchers;

    Tenant() throws IOException {
      var config =
          new IndexWriterConfig(analyzer)
              .setSimilarity(new BM25Similarity())
              .setRAMBufferSizeMB(4)
              // one merge thread per tenant would add up; merges of in-memory segments are quick
              .setMergeScheduler(new SerialMergeScheduler());
      writer = new IndexWriter(new ByteBuffersDirectory(), config);
      searchers = new SearcherManager(writer, null);
    }
  }

  /** The text BM25 sees for {@code entity}: its chunks' texts joined by newlines. */
  public static String textOf(Entity entity) {
    var sb = new StringBuilder();
    for (TextChunk c : entity.getChunksList()) {
      if (!c.getText().isBlank()) {
        if (sb.length() > 0) {
          sb.append('\n');
        }
        sb.append(c.getText());
      }
    }
    return sb.toString();
  }

  /** Indexes the entity's current text, replacing what was indexed for it; no text removes it. */
  public void index(String tenant, Entity entity) {
    String text = textOf(entity);
    if (text.isEmpty()) {
      remove(tenant, entity.getEntityId());
      return;
    }
    var doc = new Document();
    doc.add(new StringField(ID, entity.getEntityId(), Field.Store.YES));
    doc.add(new SortedDocValuesField(ID, new BytesRef(entity.getEntityId())));
    doc.add(new TextField(TEXT, text, Field.Store.NO));
    doc.add(
        new NumericDocValuesField(TOKEN, Murmur3Partitioner.token(tenant, entity.getEntityId())));
    long length = length(text);
    if (length > 0) { // as Lucene counts: a text of stop words only has no terms
      doc.add(new NumericDocValuesField(LENGTH, length));
    }
    try {
      tenant(tenant).writer.updateDocument(new Term(ID, entity.getEntityId()), doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes an entity's text. */
  public void remove(String tenant, String entityId) {
    Tenant t = tenants.get(tenant);
    if (t == null) {
      return;
    }
    try {
      t.writer.deleteDocuments(new Term(ID, entityId));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The tenant's best {@code n} entities for {@code query} by BM25 with this index's own
   * statistics, best first, ties by id (UTF-8 byte order); empty when the query has no indexable
   * term or the tenant no text.
   */
  public List<TextHit> search(String tenant, String query, int n) throws IOException {
    return search(tenant, query, n, null, null);
  }

  /**
   * As {@link #search(String, String, int)}, restricted to entities whose ring token lies in {@code
   * ranges} (null: all) and scored with {@code stats} (null: this index's own statistics) in place
   * of the local term and collection statistics, as Elasticsearch's DFS query-then-fetch does: with
   * the statistics of the whole data set every replica scores a document as a single node holding
   * all of it would.
   */
  public List<TextHit> search(
      String tenant, String query, int n, List<TokenRange> ranges, TextStats stats)
      throws IOException {
    Tenant t = tenants.get(tenant);
    if (t == null || n < 1) {
      return List.of();
    }
    Query q = parse(query);
    if (q == null) {
      return List.of();
    }
    var queries = new ArrayList<Query>();
    if (ranges == null) {
      queries.add(q);
    } else {
      for (Query filter : new TokenRangeFilter(TOKEN, ranges).queries()) {
        queries.add(
            new BooleanQuery.Builder()
                .add(q, BooleanClause.Occur.MUST)
                .add(filter, BooleanClause.Occur.FILTER)
                .build());
      }
    }
    t.searchers.maybeRefreshBlocking();
    IndexSearcher acquired = t.searchers.acquire();
    try {
      IndexSearcher searcher =
          stats == null ? acquired : new GlobalStatsSearcher(acquired.getIndexReader(), stats);
      searcher.setSimilarity(new BM25Similarity());
      var byScoreThenId = new Sort(SortField.FIELD_SCORE, new SortField(ID, SortField.Type.STRING));
      var stored = searcher.storedFields();
      var out = new ArrayList<TextHit>();
      for (Query each : queries) { // disjoint filters: the best n of the union is exact
        for (ScoreDoc d : searcher.search(each, n, byScoreThenId, true).scoreDocs) {
          out.add(new TextHit(stored.document(d.doc).get(ID), d.score));
        }
      }
      if (queries.size() > 1) {
        out.sort(BEST_FIRST);
      }
      return List.copyOf(out.subList(0, Math.min(n, out.size())));
    } finally {
      t.searchers.release(acquired);
    }
  }

  /**
   * The statistics of the tenant's live entities whose token lies in {@code ranges}, for the
   * analyzed terms of {@code query}. Reads every in-range document's length once (no index keeps a
   * per-range sum), so it costs a pass over the tenant's in-range documents.
   */
  public TextStats stats(String tenant, String query, List<TokenRange> ranges) throws IOException {
    Tenant t = tenants.get(tenant);
    if (t == null) {
      return TextStats.EMPTY;
    }
    var filter = new TokenRangeFilter(TOKEN, ranges);
    t.searchers.maybeRefreshBlocking();
    IndexSearcher searcher = t.searchers.acquire();
    try {
      long docCount = 0;
      long sumLength = 0;
      for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
        Bits live = leaf.reader().getLiveDocs();
        NumericDocValues lengths = DocValues.getNumeric(leaf.reader(), LENGTH);
        NumericDocValues tokens = DocValues.getNumeric(leaf.reader(), TOKEN);
        for (int doc = lengths.nextDoc();
            doc != DocIdSetIterator.NO_MORE_DOCS;
            doc = lengths.nextDoc()) {
          if ((live == null || live.get(doc))
              && tokens.advanceExact(doc)
              && filter.contains(tokens.longValue())) {
            docCount++;
            sumLength += lengths.longValue();
          }
        }
      }
      var docFreq = new HashMap<String, Long>();
      for (String term : terms(query)) {
        long n = 0;
        for (Query spans : filter.queries()) {
          n +=
              searcher.count(
                  new BooleanQuery.Builder()
                      .add(new TermQuery(new Term(TEXT, term)), BooleanClause.Occur.FILTER)
                      .add(spans, BooleanClause.Occur.FILTER)
                      .build());
        }
        docFreq.put(term, n);
      }
      return new TextStats(docCount, sumLength, docFreq);
    } finally {
      t.searchers.release(searcher);
    }
  }

  /** The distinct analyzed terms of a query, in order. */
  public List<String> terms(String query) throws IOException {
    var out = new LinkedHashSet<String>();
    try (TokenStream ts = analyzer.tokenStream(TEXT, query)) {
      var term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    }
    return List.copyOf(out);
  }

  private long length(String text) {
    long n = 0;
    try (TokenStream ts = analyzer.tokenStream(TEXT, text)) {
      ts.reset();
      while (ts.incrementToken()) {
        n++;
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // analysis of a String does no I/O
    }
    return n;
  }

  private Query parse(String query) {
    return new QueryBuilder(analyzer).createBooleanQuery(TEXT, query, BooleanClause.Occur.SHOULD);
  }

  /**
   * A searcher whose BM25 statistics are given rather than read from its index. Lucene asks only
   * about terms this index holds; the given counts are raised to what this index alone holds, so a
   * replica that has seen a write the statistics' replicas had not still gets valid statistics.
   */
  private static final class GlobalStatsSearcher extends IndexSearcher {
    private final TextStats stats;

    GlobalStatsSearcher(IndexReader reader, TextStats stats) {
      super(reader);
      this.stats = stats;
    }

    @Override
    public CollectionStatistics collectionStatistics(String field) throws IOException {
      CollectionStatistics local = super.collectionStatistics(field);
      if (local == null || !TEXT.equals(field)) {
        return local;
      }
      long docCount = Math.max(stats.docCount(), 1);
      long sumLength = Math.max(stats.sumLength(), docCount);
      // BM25 reads docCount and sumTotalTermFreq; the others only need to be consistent
      return new CollectionStatistics(
          field, Math.max(local.maxDoc(), docCount), docCount, sumLength, docCount);
    }

    @Override
    public TermStatistics termStatistics(Term term, int docFreq, long totalTermFreq)
        throws IOException {
      if (!TEXT.equals(term.field())) {
        return super.termStatistics(term, docFreq, totalTermFreq);
      }
      long df = Math.max(docFreq, stats.docFreq().getOrDefault(term.text(), 0L));
      df = Math.min(df, Math.max(stats.docCount(), 1)); // idf stays defined
      return new TermStatistics(term.bytes(), Math.max(df, 1), Math.max(df, 1));
    }
  }

  /** Documents indexed for the tenant (deletions not yet merged away are not counted). */
  public int size(String tenant) throws IOException {
    Tenant t = tenants.get(tenant);
    if (t == null) {
      return 0;
    }
    t.searchers.maybeRefreshBlocking();
    IndexSearcher s = t.searchers.acquire();
    try {
      return s.getIndexReader().numDocs();
    } finally {
      t.searchers.release(s);
    }
  }

  private Tenant tenant(String tenant) {
    if (closed) {
      throw new IllegalStateException("text index is closed");
    }
    return tenants.computeIfAbsent(
        tenant,
        k -> {
          try {
            return new Tenant();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  @Override
  public void close() throws IOException {
    closed = true;
    IOException first = null;
    for (Tenant t : tenants.values()) {
      try {
        t.searchers.close();
        t.writer.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    tenants.clear();
    analyzer.close();
    if (first != null) {
      throw first;
    }
  }
}
