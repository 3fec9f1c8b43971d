/**
 * LangChain4j integration: {@link io.allidb.langchain4j.AlliEmbeddingStore}, an embedding store of
 * text segments over {@link io.allidb.client.AlliClient} (docs/client.md).
 */
package io.allidb.langchain4j;
