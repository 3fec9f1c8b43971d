package io.allidb.e2e.scenario;

import java.util.List;

/**
 * A user-level story told as steps against a {@link ClusterUnderTest}, independent of where the
 * cluster runs. {@link #run} executes the steps in order and names the failing one.
 */
public record Scenario(String name, List<Step> steps) {

  /** One step: what a person would write in the test plan, and what it does. */
  public record Step(String description, Action action) {}

  @FunctionalInterface
  public interface Action {
    void run(ClusterUnderTest cluster) throws Exception;
  }

  public void run(ClusterUnderTest cluster, String namespace) {
    for (int i = 0; i < steps.size(); i++) {
      var step = steps.get(i);
      var started = System.nanoTime();
      try {
        step.action().run(cluster);
        // for reading a slow run's log, not asserted
        System.out.printf(
            "[scenario] %s: step %d (%s) done after %d s%n",
            name, i + 1, step.description(), (System.nanoTime() - started) / 1_000_000_000L);
      } catch (Throwable e) {
        throw new AssertionError(
            name
                + ": step "
                + (i + 1)
                + " ("
                + step.description()
                + ") failed: "
                + e
                + "\n"
                + cluster.diagnostics(namespace),
            e);
      }
    }
  }
}
