package io.allidb.dataplane.index.graph;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link GraphIndex} on the heap: per tenant, each entity's outgoing edges and, for each target,
 * its incoming edges keyed by source entity.
 *
 * <p>Thread-safe: each tenant has a read-write lock. A {@link #putEntity} or {@link #removeEntity}
 * holds the tenant's write lock while it swaps the entity's edge list and fixes the reverse
 * entries, so no query sees one end of an edge without the other; queries share the read lock.
 * Tenants never contend with each other.
 *
 * <p>Memory is about two map entries per edge and one per entity (its {@link EntityAttributes}).
 * Queries cost O(degree log degree) for the sort.
 */
public final class InMemoryGraphIndex implements GraphIndex {

  private final ConcurrentHashMap<String, TenantEdges> tenants = new ConcurrentHashMap<>();

  @Override
  public void putEntity(
      String tenant, String entityId, EntityAttributes attributes, List<Edge> outgoingEdges) {
    Objects.requireNonNull(attributes, "attributes");
    // last edge per (target, relation) wins
    var unique = new LinkedHashMap<List<String>, Edge>();
    for (Edge e : outgoingEdges) {
      if (!e.from().equals(entityId)) {
        throw new IllegalArgumentException(
            "edge "
                + e
                + " does not start at entity '"
                + entityId
                + "' of tenant '"
                + tenant
                + "'");
      }
      unique.put(List.of(e.to(), e.relation()), e);
    }
    List<Edge> edges = List.copyOf(unique.values());
    TenantEdges t = tenants.computeIfAbsent(tenant, k -> new TenantEdges());
    t.lock.writeLock().lock();
    try {
      t.attributes.put(entityId, attributes);
      t.dropOutgoing(entityId);
      if (edges.isEmpty()) {
        return;
      }
      t.outgoing.put(entityId, edges);
      for (Edge e : edges) {
        t.incoming
            .computeIfAbsent(e.to(), k -> new HashMap<>())
            .computeIfAbsent(entityId, k -> new ArrayList<>())
            .add(e);
      }
    } finally {
      t.lock.writeLock().unlock();
    }
  }

  @Override
  public void removeEntity(String tenant, String entityId) {
    TenantEdges t = tenants.get(tenant);
    if (t == null) {
      return;
    }
    t.lock.writeLock().lock();
    try {
      t.attributes.remove(entityId);
      t.dropOutgoing(entityId);
    } finally {
      t.lock.writeLock().unlock();
    }
  }

  @Override
  public EntityAttributes attributes(String tenant, String entityId) {
    TenantEdges t = tenants.get(tenant);
    return t == null ? null : t.attributes.get(entityId);
  }

  @Override
  public List<Edge> neighbors(
      String tenant, String entityId, Direction dir, Set<String> relations, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1; got " + limit);
    }
    TenantEdges t = tenants.get(tenant);
    if (t == null) {
      return List.of();
    }
    var out = new ArrayList<Edge>();
    t.lock.readLock().lock();
    try {
      if (dir != Direction.INCOMING) {
        for (Edge e : t.outgoing.getOrDefault(entityId, List.of())) {
          if (relations.isEmpty() || relations.contains(e.relation())) {
            out.add(e);
          }
        }
      }
      if (dir != Direction.OUTGOING) {
        for (List<Edge> fromSource : t.incoming.getOrDefault(entityId, Map.of()).values()) {
          for (Edge e : fromSource) {
            boolean selfLoopAlreadyListed = dir == Direction.BOTH && e.from().equals(entityId);
            if (!selfLoopAlreadyListed
                && (relations.isEmpty() || relations.contains(e.relation()))) {
              out.add(e);
            }
          }
        }
      }
    } finally {
      t.lock.readLock().unlock();
    }
    out.sort(order(entityId));
    return out.size() <= limit ? out : List.copyOf(out.subList(0, limit));
  }

  /** Weight descending, then the id at the other end, relation, and source. */
  private static Comparator<Edge> order(String entityId) {
    return Comparator.comparingDouble(Edge::weight)
        .reversed()
        .thenComparing((Edge e) -> e.from().equals(entityId) ? e.to() : e.from())
        .thenComparing(Edge::relation)
        .thenComparing(Edge::from);
  }

  /**
   * One tenant's adjacency; the edge maps are guarded by {@code lock}. {@code attributes} is
   * written under the write lock (so it changes in step with the edges) but read without it.
   */
  private static final class TenantEdges {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    final ConcurrentHashMap<String, EntityAttributes> attributes = new ConcurrentHashMap<>();
    final Map<String, List<Edge>> outgoing = new HashMap<>();

    /** target -> source -> the source's edges to that target (one per relation). */
    final Map<String, Map<String, List<Edge>>> incoming = new HashMap<>();

    void dropOutgoing(String entityId) {
      List<Edge> old = outgoing.remove(entityId);
      if (old == null) {
        return;
      }
      for (Edge e : old) {
        Map<String, List<Edge>> sources = incoming.get(e.to());
        if (sources != null) {
          sources.remove(entityId);
          if (sources.isEmpty()) {
            incoming.remove(e.to());
          }
        }
      }
    }
  }
}
