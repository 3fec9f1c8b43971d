package io.allidb.dataplane.query.hybrid;

import io.allidb.api.proto.Entity;
import io.allidb.api.proto.QueryRequest;
import io.allidb.dataplane.query.hybrid.TextIndex.TextHit;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link HybridQueryExecutor} reads from the ring while it has several nodes: BM25 hits over
 * every replica's text and entities at the query's consistency level. Implemented by the cluster
 * coordinator ({@code ClusterTextSearch}).
 */
public interface RingText {

  /**
   * The tenant's best {@code n} BM25 hits for the request's {@code query_text} over the whole ring,
   * best first, ties by id (UTF-8 byte order), scored as one node holding all the data would.
   */
  List<TextHit> search(String tenant, QueryRequest request, int n) throws IOException;

  /** The live entities with these ids (absent: none), read at the request's consistency level. */
  Map<String, Optional<Entity>> entities(
      String tenant, Collection<String> ids, QueryRequest request) throws IOException;
}
