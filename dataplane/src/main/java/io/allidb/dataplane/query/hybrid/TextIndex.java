package io.allidb.dataplane.query.hybrid;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.TextChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
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
 * <p>Thread-safe (Lucene's writer and searcher manager are).
 */
public final class TextIndex implements AutoCloseable {
  static final String ID = "id";
  static final String TEXT = "text";

  /** One hit: the entity and its BM25 score. */
  public record TextHit(String entityId, float score) {}

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
    doc.add(new TextField(TEXT, text, Field.Store.NO));
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
   * The tenant's best {@code n} entities for {@code query} by BM25, best first (ties by Lucene's
   * document order); empty when the query has no indexable term or the tenant no text.
   */
  public List<TextHit> search(String tenant, String query, int n) throws IOException {
    Tenant t = tenants.get(tenant);
    if (t == null || n < 1) {
      return List.of();
    }
    Query q =
        new QueryBuilder(analyzer).createBooleanQuery(TEXT, query, BooleanClause.Occur.SHOULD);
    if (q == null) {
      return List.of();
    }
    t.searchers.maybeRefreshBlocking();
    IndexSearcher searcher = t.searchers.acquire();
    try {
      searcher.setSimilarity(new BM25Similarity());
      ScoreDoc[] docs = searcher.search(q, n).scoreDocs;
      var stored = searcher.storedFields();
      var out = new ArrayList<TextHit>(docs.length);
      for (ScoreDoc d : docs) {
        out.add(new TextHit(stored.document(d.doc).get(ID), d.score));
      }
      return out;
    } finally {
      t.searchers.release(searcher);
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
