/**
 * Size-tiered compaction: planning, the merge with tombstone garbage collection, throttling and
 * retries. See {@code docs/storage.md}.
 */
package io.allidb.dataplane.storage.compaction;
