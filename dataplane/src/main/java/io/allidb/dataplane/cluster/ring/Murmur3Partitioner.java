package io.allidb.dataplane.cluster.ring;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Places keys on the ring: the token of an entity key is the first 64 bits of the Murmur3 x64 128
 * hash of its tenant, a zero byte and its id (the same family of hash Cassandra uses, for the same
 * reason: fast, well mixed, stable across versions and platforms).
 *
 * <p>The token of a key must never change between versions of AlliDB: it decides which nodes hold
 * the key's data on disk. {@code Murmur3PartitionerTest} pins known values.
 */
public final class Murmur3Partitioner {
  private static final HashFunction MURMUR3 = Hashing.murmur3_128();

  private Murmur3Partitioner() {}

  /**
   * The token of the key (tenant, id). {@link Long#MIN_VALUE} is reserved as the ring's minimum and
   * never returned.
   */
  public static long token(String tenant, String id) {
    long token =
        MURMUR3
            .newHasher()
            .putString(tenant, StandardCharsets.UTF_8)
            .putByte((byte) 0)
            .putString(id, StandardCharsets.UTF_8)
            .hash()
            .asLong();
    return token == Long.MIN_VALUE ? Long.MAX_VALUE : token;
  }
}
