package io.foyer.ops;

import java.time.Duration;

/** Where each node's status record lives in LiveState, and how long it outlives its last publication. */
final class NodeStatus {

  private NodeStatus() {}

  /** A node publishes its record this often. */
  static final Duration PERIOD = Duration.ofSeconds(1);
  /**
   * A record not refreshed for this long is gone: a node that stopped or crashed drops out of the cluster view
   * within it, while one slow publication (a busy node, a slow Redis) does not make a live node flicker.
   */
  static final Duration TTL = Duration.ofSeconds(4);

  static String key(String nodeId) {
    return "ops:node:" + nodeId;
  }
}
