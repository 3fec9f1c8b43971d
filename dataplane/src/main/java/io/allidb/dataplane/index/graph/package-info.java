/**
 * The entity graph: typed, weighted edges stored on their source entity and indexed at both ends,
 * so graph-RAG expansion can follow them in either direction. See {@link
 * io.allidb.dataplane.index.graph.GraphIndex}.
 */
package io.allidb.dataplane.index.graph;
