/**
 * The {@code allidb} command line (picocli): {@code allidb server} starts a node; the client
 * commands ({@code put get delete query scan import}) and {@code demo} talk to one over gRPC.
 */
package io.allidb.dataplane.cli;
