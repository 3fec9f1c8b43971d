package io.allidb.bench;

import io.allidb.dataplane.index.vector.JVectorIndex;
import io.allidb.dataplane.index.vector.VectorHit;
import io.allidb.dataplane.index.vector.VectorIndexOptions;
import io.allidb.dataplane.index.vector.VectorRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Our ANN as the server uses it: {@link JVectorIndex} behind the {@code VectorIndex} interface, one
 * tenant, entity ids are the decimal vector numbers. Everything the index does per call (read lock,
 * borrowing a pooled searcher, hit objects, sorting) is part of the measurement on purpose: that is
 * what a query pays.
 */
final class JVectorAnnEngine implements AnnEngine {
  private static final String TENANT = "ann";

  private final VectorIndexOptions options;
  private JVectorIndex index;

  JVectorAnnEngine(VectorIndexOptions options) {
    this.options = options;
  }

  @Override
  public String name() {
    return "allidb";
  }

  @Override
  public String buildParams() {
    return String.format(
        Locale.ROOT,
        "M=%d, beam=%d, alpha=%.2f, overflow=%.2f",
        options.maxDegree(),
        options.constructionBeamWidth(),
        options.alpha(),
        options.neighborOverflow());
  }

  @Override
  public String searchParam() {
    return "beam";
  }

  @Override
  public void build(float[][] base) {
    index = new JVectorIndex(options);
    List<VectorRecord> records = new ArrayList<>(base.length);
    for (int i = 0; i < base.length; i++) {
      records.add(new VectorRecord(TENANT, Integer.toString(i), base[i]));
    }
    // the same parallel path the server uses to rebuild its index at start
    index.upsertAll(records);
  }

  @Override
  public int[] search(float[] query, int k, int width) {
    List<VectorHit> hits = index.search(TENANT, query, k, width, null);
    int[] ids = new int[hits.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = Integer.parseInt(hits.get(i).entityId());
    }
    return ids;
  }

  @Override
  public void close() {
    if (index != null) {
      index.close();
      index = null;
    }
  }
}
