package io.allidb.operator.day2;

import io.allidb.operator.ring.NodeAdminException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks nodes which secret generations they have loaded, and asks them to reload now. A node that
 * does not answer counts as not having loaded anything: a rollout waits rather than guess.
 */
public final class NodeSecrets {
  private static final Logger logger = LoggerFactory.getLogger(NodeSecrets.class);

  private final Day2Context ctx;

  public NodeSecrets(Day2Context ctx) {
    this.ctx = ctx;
  }

  /** Generation per pod as reported; -1 for a pod that did not answer. */
  public Map<String, Long> generations(
      Collection<String> pods, ToLongFunction<io.allidb.operator.ring.NodeInfo> which) {
    var out = new LinkedHashMap<String, Long>();
    for (var pod : pods) {
      try {
        out.put(pod, which.applyAsLong(ctx.admin().nodeInfo(ctx.address(pod))));
      } catch (NodeAdminException e) {
        out.put(pod, -1L);
      }
    }
    return out;
  }

  /** Asks every pod to reload now; failures are logged (the node's own periodic reload follows). */
  public void reload(Collection<String> pods) {
    for (var pod : pods) {
      try {
        ctx.admin().reloadSecrets(ctx.address(pod));
      } catch (NodeAdminException e) {
        logger.info(
            "{}: reload secrets on {} not possible now: {}", ctx.name(), pod, e.getMessage());
      }
    }
  }

  /** Whether every pod reported at least {@code generation}. */
  public static boolean allAt(Map<String, Long> reported, long generation) {
    return reported.values().stream().allMatch(g -> g >= generation);
  }
}
