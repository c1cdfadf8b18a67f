package io.foyer.presence;

import io.foyer.live.LiveState;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live attendee counts per event and session. Each node counts its own sockets in memory (exact, any thread)
 * and writes its share of each changed count to LiveState at most once a flush: a hash per topic with one
 * field per node, whose sum is the count, and a hash per node listing its topics, so that the share of a
 * node that died can be found and removed. Writing absolute shares, not increments, coalesces a burst of
 * arrivals into one write per topic and lets a node's share be set right again at any time.
 */
public final class Presence {

  private final LiveState live;
  private final String nodeId;
  private final Map<String, Long> local = new ConcurrentHashMap<>();
  /** What was last written per topic; touched only by the flush, which runs on one context. */
  private final Map<String, Long> written = new ConcurrentHashMap<>();

  public Presence(LiveState live, String nodeId) {
    this.live = live;
    this.nodeId = nodeId;
  }

  static String topicKey(String topic) {
    return "presence:" + topic;
  }

  static String nodeKey(String nodeId) {
    return "presence-node:" + nodeId;
  }

  public void arrived(String topic) {
    local.merge(topic, 1L, Long::sum);
  }

  public void left(String topic) {
    local.merge(topic, -1L, Long::sum);
  }

  /** Everyone online for a topic, over every node whose share is written. */
  public Future<Long> online(String topic) {
    return live.hashCounters(topicKey(topic))
        .map(counts -> counts.values().stream().mapToLong(Long::longValue).sum());
  }

  /**
   * The nodes that say they are alive: those with a heartbeat in LiveState, which a node removes when it stops and
   * a surviving node removes once it has cleaned up after a silent one.
   */
  public Future<List<String>> nodesWithHeartbeat() {
    return live.hashCounters(PresenceVerticle.HEARTBEATS).map(beats -> List.copyOf(beats.keySet()));
  }

  /** Writes this node's changed shares; a failed write is tried again by the next flush. */
  Future<Void> flush() {
    List<Future<Void>> writes = new ArrayList<>();
    for (Map.Entry<String, Long> entry : local.entrySet()) {
      String topic = entry.getKey();
      long count = entry.getValue();
      Long last = written.get(topic);
      if (last != null && last == count) {
        // a topic nobody here holds any more is forgotten, unless someone arrived in the meantime
        if (count == 0 && local.remove(topic, 0L)) {
          written.remove(topic);
        }
        continue;
      }
      Future<Void> write = count == 0
          ? live.hashRemove(topicKey(topic), nodeId).compose(v -> live.hashRemove(nodeKey(nodeId), topic))
          : live.hashPut(topicKey(topic), nodeId, count).compose(v -> live.hashPut(nodeKey(nodeId), topic, count));
      writes.add(write.onSuccess(v -> written.put(topic, count)));
    }
    return Future.join(writes).mapEmpty();
  }

  /** Removes a dead node's share of every count it held. */
  Future<Void> removeShareOf(String deadNode) {
    return live.hashCounters(nodeKey(deadNode))
        .compose(topics -> Future.all(topics.keySet().stream()
            .map(topic -> live.hashRemove(topicKey(topic), deadNode)).toList()))
        .compose(v -> live.delete(nodeKey(deadNode)));
  }
}
