package io.allidb.dataplane.query.hybrid;

import io.allidb.dataplane.cluster.ring.TokenRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TwoPhaseIterator;
import org.apache.lucene.search.Weight;

/**
 * A Lucene filter: documents whose ring token (the {@code token} doc value) lies in any of a set of
 * token ranges. The ranges become sorted, disjoint, inclusive spans (a wrapping range is two), and
 * a document is checked by binary search, as the second phase of a two-phase iterator, so in a
 * conjunction with a text query only the text matches are checked.
 *
 * <p>A doc-values check rather than a disjunction of point ranges: a node may be asked for hundreds
 * of ranges (vnodes times RF), more than a {@code BooleanQuery} may hold.
 */
final class TokenRangeFilter extends Query {
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

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
    return new ConstantScoreWeight(this, boost) {
      @Override
      public Scorer scorer(LeafReaderContext context) throws IOException {
        NumericDocValues tokens = DocValues.getNumeric(context.reader(), field);
        var twoPhase =
            new TwoPhaseIterator(tokens) {
              @Override
              public boolean matches() throws IOException {
                return contains(tokens.longValue());
              }

              @Override
              public float matchCost() {
                return 1 + 32 - Integer.numberOfLeadingZeros(firsts.length);
              }
            };
        return new ConstantScoreScorer(this, score(), scoreMode, twoPhase);
      }

      @Override
      public boolean isCacheable(LeafReaderContext context) {
        return DocValues.isCacheable(context, field);
      }
    };
  }

  @Override
  public void visit(QueryVisitor visitor) {
    if (visitor.acceptField(field)) {
      visitor.visitLeaf(this);
    }
  }

  @Override
  public String toString(String defaultField) {
    return field + " in " + firsts.length + " token spans";
  }

  @Override
  public boolean equals(Object other) {
    return sameClassAs(other)
        && field.equals(((TokenRangeFilter) other).field)
        && Arrays.equals(firsts, ((TokenRangeFilter) other).firsts)
        && Arrays.equals(lasts, ((TokenRangeFilter) other).lasts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * classHash() + Arrays.hashCode(firsts)) + Arrays.hashCode(lasts);
  }
}
