/**
 * The node's public gRPC surface: {@link io.allidb.dataplane.server.AlliDbService} (the
 * wire-compatible {@code allidb.AlliDB} service), API-key authentication, and {@link
 * io.allidb.dataplane.server.DataplaneServer}, which assembles them with health and reflection over
 * a storage engine. Services stay thin; semantics live in storage and query. API: spec section 2.1
 * and {@code api/src/main/proto/allidb/allidb.proto}.
 */
package io.allidb.dataplane.server;
