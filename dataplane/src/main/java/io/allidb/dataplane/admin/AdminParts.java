package io.allidb.dataplane.admin;

import io.allidb.dataplane.cluster.ClusterView;
import io.allidb.dataplane.cluster.gossip.Gossiper;
import io.allidb.dataplane.cluster.hints.HintReplayer;
import io.allidb.dataplane.cluster.hints.HintStore;
import io.allidb.dataplane.cluster.repair.RepairService;
import io.allidb.dataplane.cluster.streaming.RingChanges;
import io.allidb.dataplane.node.EntityStore;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the admin service acts on: the parts of one running node.
 *
 * @param gossiper the node's gossiper when it gossips (published states, addresses, load); empty
 *     for a static ring, whose members are then reported from the ring alone
 * @param secrets re-reads API keys and TLS material and returns the generations now loaded (the
 *     server's {@code NodeSecrets}; {@link SecretsReloader#none()} where nothing is loaded)
 */
public record AdminParts(
    String version,
    String apiAddress,
    EntityStore store,
    ClusterView view,
    Supplier<Optional<Gossiper>> gossiper,
    HintStore hints,
    HintReplayer hintReplayer,
    RepairService repairs,
    RingChanges ringChanges,
    DrainState drain,
    SecretsReloader secrets) {}
