/**
 * AI inside the node and the CLI (docs/ai.md): {@link io.allidb.dataplane.ai.EmbeddingProvider}s
 * (the offline {@link io.allidb.dataplane.ai.LocalEmbedder} by default; OpenAI-compatible, Ollama
 * and custom HTTP in {@link io.allidb.dataplane.ai.HttpEmbeddingProvider}) over one HTTP layer with
 * timeouts, retries honouring Retry-After and metrics ({@link io.allidb.dataplane.ai.AiHttp});
 * {@link io.allidb.dataplane.ai.TextEmbeddings} (query text, embed on write); LLM extraction
 * validated against a versioned JSON Schema ({@link io.allidb.dataplane.ai.EntityExtractor}).
 */
package io.allidb.dataplane.ai;
