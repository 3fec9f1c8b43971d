/**
 * The REST mirror of the public API: a small HTTP/1.1 server on Netty ({@link
 * io.allidb.dataplane.server.rest.RestServer}) that translates JSON routes to calls on the node's
 * own {@code allidb.AlliDB} service over an in-process gRPC channel, so authentication, tenant
 * rules, validation and deadlines are the gRPC service's and exist once. Routes, JSON names and the
 * status mapping follow the original gateway (spec section 2.2); see {@code docs/api.md}.
 */
package io.allidb.dataplane.server.rest;
