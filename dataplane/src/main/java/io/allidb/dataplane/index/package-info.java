/**
 * Secondary indexes over stored entities: {@link io.allidb.dataplane.index.vector approximate
 * nearest-neighbour search} and the {@link io.allidb.dataplane.index.graph entity graph}, kept in
 * step with storage by {@link io.allidb.dataplane.index.EntityIndexer}. Both live in memory and are
 * rebuilt from the storage engine at start.
 */
package io.allidb.dataplane.index;
