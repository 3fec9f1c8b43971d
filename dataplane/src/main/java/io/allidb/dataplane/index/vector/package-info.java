/**
 * Approximate nearest-neighbour search: the {@link io.allidb.dataplane.index.vector.VectorIndex}
 * contract and its jvector implementation, {@link io.allidb.dataplane.index.vector.JVectorIndex}.
 *
 * <p>jvector builds a Vamana graph (the graph of DiskANN), inserts concurrently without locks, and
 * filters during the graph walk. It can add HNSW-style upper layers; this index leaves them off
 * (see {@link io.allidb.dataplane.index.vector.JVectorIndex}). The index never hand-writes graph
 * search (decision 4 of {@code TARGET.md}).
 *
 * <ul>
 *   <li>Subramanya et al., <i>DiskANN: Fast Accurate Billion-point Nearest Neighbor Search on a
 *       Single Node</i>, NeurIPS 2019 (Vamana, the {@code alpha} pruning rule); paper links at <a
 *       href="https://github.com/microsoft/DiskANN">github.com/microsoft/DiskANN</a>
 *   <li>Singh et al., <i>FreshDiskANN: A Fast and Accurate Graph-Based ANN Index for Streaming
 *       Similarity Search</i> (deletes as marks, repaired in batches): <a
 *       href="https://arxiv.org/abs/2105.09613">arXiv:2105.09613</a>
 *   <li>Malkov and Yashunin, <i>Efficient and robust approximate nearest neighbor search using
 *       Hierarchical Navigable Small World graphs</i> (the optional upper layers): <a
 *       href="https://arxiv.org/abs/1603.09320">arXiv:1603.09320</a>
 *   <li>jvector: <a href="https://github.com/datastax/jvector">github.com/datastax/jvector</a>
 * </ul>
 */
package io.allidb.dataplane.index.vector;
