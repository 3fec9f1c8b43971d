/**
 * The operator's view of the data plane's ring (TARGET.md decision 8: membership is the data
 * plane's, intent is the operator's). {@link io.allidb.operator.ring.NodeAdmin} is the contract the
 * node admin API (issue 6) will implement over gRPC; until then production runs {@link
 * io.allidb.operator.ring.UnreachableNodeAdmin} and tests run a simulated ring.
 */
package io.allidb.operator.ring;
