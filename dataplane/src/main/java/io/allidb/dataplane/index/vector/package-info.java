/**
 * Approximate nearest-neighbour search: the {@link io.allidb.dataplane.index.vector.VectorIndex}
 * contract and its jvector implementation, {@link io.allidb.dataplane.index.vector.JVectorIndex}.
 *
 * <p>jvector builds a Vamana graph (the base layer of DiskANN) with optional HNSW-style upper
 * layers, inserts concurrently without locks, and filters during the graph walk. The index never
 * hand-writes graph search (decision 4 of {@code TARGET.md}).
 *
 * <ul>
 *   <li>Subramanya et al., <i>DiskANN: Fast Accurate Billion-point Nearest Neighbor Search on a
 *       Single Node</i>, NeurIPS 2019 (Vamana, the {@code alpha} pruning rule): <a
 *       href="https://proceedings.neurips.cc/paper/2019/hash/09853c7fb1d3f8ee67a61b6bf4a7f8e6-Abstract.html">NeurIPS
 *       2019</a>
 *   <li>Singh et al., <i>FreshDiskANN: A Fast and Accurate Graph-Based ANN Index for Streaming
 *       Similarity Search</i> (deletes as marks, repaired in batches): <a
 *       href="https://arxiv.org/abs/2105.09613">arXiv:2105.09613</a>
 *   <li>Malkov and Yashunin, <i>Efficient and robust approximate nearest neighbor search using
 *       Hierarchical Navigable Small World graphs</i> (the upper layers): <a
 *       href="https://arxiv.org/abs/1603.09320">arXiv:1603.09320</a>
 *   <li>jvector: <a href="https://github.com/datastax/jvector">github.com/datastax/jvector</a>
 * </ul>
 */
package io.allidb.dataplane.index.vector;
