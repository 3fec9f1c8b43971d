package io.allidb.dataplane.cluster.replica;

import io.allidb.dataplane.query.hybrid.TextIndex;

/** {@link TextIndex.TextStats} to and from its internode message ({@code allidb.internode.v1}). */
public final class TextStatsMessages {
  private TextStatsMessages() {}

  public static io.allidb.dataplane.cluster.proto.TextStats toProto(TextIndex.TextStats s) {
    return io.allidb.dataplane.cluster.proto.TextStats.newBuilder()
        .setDocCount(s.docCount())
        .setSumLength(s.sumLength())
        .putAllDocFreq(s.docFreq())
        .build();
  }

  /**
   * @throws IllegalArgumentException for negative counts (a replica never sends them)
   */
  public static TextIndex.TextStats fromProto(io.allidb.dataplane.cluster.proto.TextStats p) {
    if (p.getDocCount() < 0
        || p.getSumLength() < 0
        || p.getDocFreqMap().values().stream().anyMatch(n -> n < 0)) {
      throw new IllegalArgumentException("text statistics must not be negative: " + p);
    }
    return new TextIndex.TextStats(p.getDocCount(), p.getSumLength(), p.getDocFreqMap());
  }
}
