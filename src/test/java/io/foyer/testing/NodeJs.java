package io.foyer.testing;

import java.util.concurrent.TimeUnit;

/** Node.js for the tests that drive Foyer as a browser would (its WebSocket is the browser API). */
public final class NodeJs {

  private NodeJs() {}

  /** Whether `node` 20+ with the WebSocket API is on the PATH; tests that need it are skipped otherwise. */
  public static boolean available() {
    try {
      Process probe = new ProcessBuilder("node", "--experimental-websocket", "--no-warnings", "-e",
          "process.exit(typeof WebSocket === 'function' ? 0 : 1)").start();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
