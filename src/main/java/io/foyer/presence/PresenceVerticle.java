package io.foyer.presence;

import io.foyer.bus.Bus;
import io.foyer.config.FoyerConfig.NodeConfig;
import io.foyer.live.LiveState;
import io.foyer.presence.PresenceMessages.CloseNodeStays;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's share of the presence counts written, says in LiveState that the node is alive, and
 * cleans up after nodes that stopped saying so: their share of every count is removed and their attendees'
 * open attendance stays end at their last heartbeat. A node restarted under the same id cleans up after its
 * earlier self first.
 */
public final class PresenceVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(PresenceVerticle.class);
  /** Node id to the epoch milliseconds of its last heartbeat. */
  static final String HEARTBEATS = "nodes:heartbeat";
  private static final long FLUSH_MILLIS = 1000;

  private final Presence presence;
  private final LiveState live;
  private final String nodeId;
  private final NodeConfig node;
  /** A slow flush is not overtaken by the next one, whose writes could land first and be overwritten. */
  private boolean flushing;

  public PresenceVerticle(Presence presence, LiveState live, String nodeId, NodeConfig node) {
    this.presence = presence;
    this.live = live;
    this.nodeId = nodeId;
    this.node = node;
  }

  @Override
  public Future<?> start() {
    return cleanUpEarlierSelf().compose(v -> beat()).onSuccess(v -> {
      vertx.setPeriodic(FLUSH_MILLIS, id -> flush());
      vertx.setPeriodic(node.heartbeatInterval().toMillis(), id -> beat().compose(x -> reapSilentNodes())
          .onFailure(err -> log.warn("Heartbeat or node check failed: {}", err.getMessage())));
    });
  }

  /** Called once the gateway has closed this node's sockets: the share they leave is zero everywhere. */
  @Override
  public Future<?> stop() {
    return presence.flush()
        .eventually(() -> presence.removeShareOf(nodeId))
        .eventually(() -> live.hashRemove(HEARTBEATS, nodeId));
  }

  private void flush() {
    if (flushing) {
      return;
    }
    flushing = true;
    presence.flush()
        .onFailure(err -> log.warn("Presence counts not written; retrying: {}", err.getMessage()))
        .onComplete(ar -> flushing = false);
  }

  private Future<Void> beat() {
    return live.hashPut(HEARTBEATS, nodeId, System.currentTimeMillis());
  }

  private Future<Void> cleanUpEarlierSelf() {
    return live.hashCounters(HEARTBEATS).compose(beats -> {
      Long last = beats.get(nodeId);
      return last == null ? Future.succeededFuture() : cleanUpAfter(nodeId, last);
    });
  }

  private Future<Void> reapSilentNodes() {
    long now = System.currentTimeMillis();
    return live.hashCounters(HEARTBEATS).compose(beats -> {
      List<Map.Entry<String, Long>> silent = beats.entrySet().stream()
          .filter(beat -> !beat.getKey().equals(nodeId) && now - beat.getValue() > node.deadAfter().toMillis())
          .toList();
      return Future.join(silent.stream().map(beat -> claimAndCleanUp(beat.getKey(), beat.getValue())).toList())
          .mapEmpty();
    });
  }

  /** One surviving node does the clean-up; should it die doing so, its claim expires and another takes over. */
  private Future<Void> claimAndCleanUp(String deadNode, long lastBeat) {
    return live.setIfAbsent("nodes:reaping:" + deadNode, nodeId, node.deadAfter())
        .compose(claimed -> claimed ? cleanUpAfter(deadNode, lastBeat) : Future.succeededFuture());
  }

  private Future<Void> cleanUpAfter(String deadNode, long lastBeat) {
    OffsetDateTime at = OffsetDateTime.ofInstant(Instant.ofEpochMilli(lastBeat), ZoneOffset.UTC);
    return presence.removeShareOf(deadNode)
        .compose(v -> Bus.<Long>request(vertx, PresenceMessages.CLOSE_NODE_STAYS, new CloseNodeStays(deadNode, at)))
        .compose(closed -> {
          log.warn("Node {} silent since {}: removed its share of the presence counts and closed its {} open "
              + "attendance stays at that time", deadNode, at, closed);
          return live.hashRemove(HEARTBEATS, deadNode);
        });
  }
}
