/**
 * Hinted handoff: durable per-target hint files ({@link
 * io.allidb.dataplane.cluster.hints.HintFormat}), the store that appends them and the rate-limited
 * replayer that delivers them when the target is alive again, within the hint window.
 */
package io.allidb.dataplane.cluster.hints;
