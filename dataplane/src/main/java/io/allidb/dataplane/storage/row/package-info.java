/**
 * Rows, keys and their ordering: the vocabulary every part of the storage engine shares.
 *
 * <p>A row is one version of one (tenant, entity id) key with an explicit hybrid-logical-clock
 * timestamp; {@link io.allidb.dataplane.storage.row.LastWriteWins} decides between versions. See
 * {@code docs/storage.md}.
 */
package io.allidb.dataplane.storage.row;
