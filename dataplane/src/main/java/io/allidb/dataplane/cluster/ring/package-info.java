/**
 * The Murmur3 token ring with vnodes and rack-aware placement ({@link
 * io.allidb.dataplane.cluster.ring.TokenRing}), and balanced token allocation for joining nodes
 * ({@link io.allidb.dataplane.cluster.ring.TokenAllocator}). Design: {@code docs/cluster.md},
 * section Ring.
 */
package io.allidb.dataplane.cluster.ring;
