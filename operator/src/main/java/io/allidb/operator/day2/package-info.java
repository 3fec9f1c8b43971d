/**
 * Glue shared by the day-2 steps (PKI, API keys, repair): Secret reads and writes, Kubernetes
 * events, and the node calls that tell whether every node has loaded a generation.
 */
package io.allidb.operator.day2;
