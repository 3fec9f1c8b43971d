/**
 * Hybrid retrieval: BM25 over chunk text ({@link io.allidb.dataplane.query.hybrid.TextIndex},
 * Lucene analysis and similarity, one index per tenant) fused with the vector + graph ranking
 * ({@link io.allidb.dataplane.query.hybrid.HybridQueryExecutor}, reciprocal rank fusion or a
 * weighted text component). On a multi-node ring BM25 comes from {@link
 * io.allidb.dataplane.query.hybrid.RingText} (the cluster coordinator's statistics-then-search
 * scatter, {@code docs/cluster.md}).
 */
package io.allidb.dataplane.query.hybrid;
