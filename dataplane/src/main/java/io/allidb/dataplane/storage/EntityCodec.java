package io.allidb.dataplane.storage;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.allidb.api.proto.Entity;
import java.io.IOException;

/**
 * The stored form of an entity: its protobuf encoding with deterministic serialization.
 *
 * <p>Deterministic serialization sorts map entries (chunk metadata) by key, so the same entity
 * always encodes to the same bytes. The original wrote maps in hash order, so identical entities
 * had different bytes; that breaks digests, Merkle trees and the last-write-wins tie-break, which
 * all compare bytes.
 */
public final class EntityCodec {
  private EntityCodec() {}

  /** Encodes an entity deterministically. */
  public static byte[] encode(Entity entity) {
    byte[] out = new byte[entity.getSerializedSize()];
    var cos = CodedOutputStream.newInstance(out);
    cos.useDeterministicSerialization();
    try {
      entity.writeTo(cos);
    } catch (IOException e) {
      throw new IllegalStateException("encoding into an exactly sized array cannot fail", e);
    }
    cos.checkNoSpaceLeft();
    return out;
  }

  /** Decodes a stored entity. */
  public static Entity decode(byte[] bytes) throws InvalidProtocolBufferException {
    return Entity.parseFrom(bytes);
  }
}
