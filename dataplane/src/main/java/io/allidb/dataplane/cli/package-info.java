/** The {@code allidb} command line (picocli): {@code allidb server} starts a node. */
package io.allidb.dataplane.cli;
