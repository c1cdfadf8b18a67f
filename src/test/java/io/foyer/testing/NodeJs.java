package io.foyer.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.TimeUnit;

/** Node.js for the tests that drive Foyer as a browser would (its WebSocket is the browser API). */
public final class NodeJs {

  private NodeJs() {}

  /**
   * Skips the calling test when `node` 20.10+ with the WebSocket API is not on the PATH (a developer's
   * machine without Node); in CI (CI=true), where .ci/run installs it, a missing Node fails the test instead.
   */
  public static void require() {
    boolean available = available();
    if (!available && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but node with the WebSocket API is not on the PATH (.ci/run installs it)");
    }
    assumeTrue(available, "node with WebSocket support is not installed");
  }

  private static boolean available() {
    try {
      Process probe = new ProcessBuilder("node", "--experimental-websocket", "--no-warnings", "-e",
          "process.exit(typeof WebSocket === 'function' ? 0 : 1)").start();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
