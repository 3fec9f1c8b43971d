/**
 * AI helpers that run inside the node or the CLI. For now only {@link
 * io.allidb.dataplane.ai.LocalEmbedder}, the offline text embedder behind {@code allidb query
 * --text}, {@code allidb import --embed} and the demo; a provider interface (remote embedders,
 * LLMs) comes later.
 */
package io.allidb.dataplane.ai;
