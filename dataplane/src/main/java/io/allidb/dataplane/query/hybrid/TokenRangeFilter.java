package io.allidb.dataplane.query.hybrid;

import io.allidb.dataplane.cluster.ring.TokenRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;

/**
 * Documents whose ring token (the {@code token} doc value) lies in any of a set of token ranges.
 * The ranges become sorted, disjoint, inclusive spans (a wrapping range is two, adjacent ranges
 * one): {@link #contains} checks a token by binary search, {@link #queries} gives Lucene filters.
 *
 * <p>Built from stock queries only (doc-values range queries in a disjunction) rather than a custom
 * {@code Query}: Lucene's scorer API changed between 9 and 10, and the benchmarks run the node on
 * the Lucene 10 their peer needs. A node may be asked for more ranges (vnodes times RF) than one
 * {@code BooleanQuery} may hold, hence several filters.
 */
final class TokenRangeFilter {
  /** Under Lucene's default limit of 1024 clauses per query, with room for the text's clauses. */
  static final int SPANS_PER_QUERY = 512;

  private final String field;
  private final long[] firsts;
  private final long[] lasts;

  TokenRangeFilter(String field, List<TokenRange> ranges) {
    this.field = field;
    var spans = new ArrayList<long[]>();
    for (TokenRange r : ranges) {
      if (r.start() == r.end()) {
        spans.add(new long[] {Long.MIN_VALUE, Long.MAX_VALUE});
      } else if (r.start() < r.end()) {
        spans.add(new long[] {r.start() + 1, r.end()}); // start < end, so start + 1 cannot wrap
      } else {
        if (r.start() != Long.MAX_VALUE) {
          spans.add(new long[] {r.start() + 1, Long.MAX_VALUE});
        }
        spans.add(new long[] {Long.MIN_VALUE, r.end()});
      }
    }
    spans.sort(Comparator.comparingLong(s -> s[0]));
    var merged = new ArrayList<long[]>();
    for (long[] s : spans) {
      long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && (last[1] == Long.MAX_VALUE || s[0] <= last[1] + 1)) {
        last[1] = Math.max(last[1], s[1]);
      } else {
        merged.add(s.clone());
      }
    }
    firsts = new long[merged.size()];
    lasts = new long[merged.size()];
    for (int i = 0; i < merged.size(); i++) {
      firsts[i] = merged.get(i)[0];
      lasts[i] = merged.get(i)[1];
    }
  }

  boolean contains(long token) {
    int i = Arrays.binarySearch(firsts, token);
    if (i >= 0) {
      return true;
    }
    int before = -i - 2; // the last span starting below the token
    return before >= 0 && token <= lasts[before];
  }

  /**
   * Lucene filters matching the spans, each over at most {@link #SPANS_PER_QUERY} of them (a
   * disjunction of doc-values range queries); together they match exactly the spans. Searching each
   * and merging the results is exact because the spans are disjoint.
   */
  List<Query> queries() {
    var out = new ArrayList<Query>();
    for (int from = 0; from < firsts.length; from += SPANS_PER_QUERY) {
      var b = new BooleanQuery.Builder();
      for (int i = from; i < Math.min(firsts.length, from + SPANS_PER_QUERY); i++) {
        b.add(
            NumericDocValuesField.newSlowRangeQuery(field, firsts[i], lasts[i]),
            BooleanClause.Occur.SHOULD);
      }
      out.add(b.build());
    }
    return out;
  }

  int spans() {
    return firsts.length;
  }
}
