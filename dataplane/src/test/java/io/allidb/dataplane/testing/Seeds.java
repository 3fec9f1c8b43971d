package io.allidb.dataplane.testing;

/**
 * Seeds for randomized tests: {@code -Dtests.seed=N} replays a run; otherwise a fresh seed is
 * drawn. The seed is always printed so a failure can be replayed.
 */
public final class Seeds {
  private Seeds() {}

  public static long seed(String testName) {
    String fixed = System.getProperty("tests.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    System.out.println("[seed] " + testName + " -Dtests.seed=" + seed);
    return seed;
  }
}
