package io.foyer.ops;

import io.foyer.FoyerVersion;
import io.foyer.http.Times;
import io.foyer.live.LiveState;
import io.foyer.lobby.LobbyDesks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this node's status to LiveState once a {@link NodeStatus#PERIOD}, with a {@link NodeStatus#TTL}, for
 * the ops dashboard of any node to read: who it is, its load (sockets, event-loop lag, registration queue), the
 * lobby lines it drives, and its counters since it started. Which nodes exist is presence's heartbeat list; this
 * record only says how each is doing, and goes by itself when a node stops publishing.
 */
public final class OpsVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(OpsVerticle.class);

  private final LiveState live;
  private final MeterRegistry metrics;
  private final LobbyDesks lobby;
  private final IntSupplier connections;
  private final String nodeId;
  private final String region;
  private final Instant startedAt = Instant.now();
  private final EventLoopLag lag = new EventLoopLag();
  /** The worst event-loop lag of the last second, for the gauge Prometheus scrapes between records. */
  private volatile double lastLagMillis;
  /** A slow write is not overtaken by the next, which could land first and then be overwritten by older figures. */
  private boolean publishing;
  private long timer;

  public OpsVerticle(LiveState live, MeterRegistry metrics, LobbyDesks lobby, IntSupplier connections, String nodeId,
      String region) {
    this.live = live;
    this.metrics = metrics;
    this.lobby = lobby;
    this.connections = connections;
    this.nodeId = nodeId;
    this.region = region;
  }

  @Override
  public Future<?> start() {
    Gauge.builder("foyer.event.loop.lag", this, ops -> ops.lastLagMillis / 1000.0).baseUnit("seconds")
        .description("the worst delay of any event loop in the last second, past what was due (busy or blocked)")
        .register(metrics);
    lag.start(vertx);
    timer = vertx.setPeriodic(NodeStatus.PERIOD.toMillis(), id -> publish());
    return publishNow();
  }

  private double takeLagMillis() {
    lastLagMillis = lag.takeWorstMillis();
    return lastLagMillis;
  }

  /** Takes the record away at once, rather than leaving a stopped node on the dashboard until the TTL. */
  @Override
  public Future<?> stop() {
    lag.stop();
    vertx.cancelTimer(timer);
    return live.delete(NodeStatus.key(nodeId));
  }

  private void publish() {
    if (publishing) {
      return;
    }
    publishing = true;
    publishNow()
        .onFailure(err -> log.debug("Node status not published; trying again in a second: {}", err.getMessage()))
        .onComplete(ar -> publishing = false);
  }

  private Future<Void> publishNow() {
    return lobby.linesDrivenBy(nodeId)
        .compose(driven -> live.put(NodeStatus.key(nodeId), record(driven).encode(), NodeStatus.TTL));
  }

  private JsonObject record(List<Long> drivenLines) {
    Instant now = Instant.now();
    return new JsonObject()
        .put("node", nodeId)
        .put("region", region)
        .put("version", FoyerVersion.get())
        .put("startedAt", Times.format(startedAt))
        .put("uptimeSeconds", Duration.between(startedAt, now).toSeconds())
        .put("connections", connections.getAsInt())
        .put("eventLoopLagMillis", Math.round(takeLagMillis() * 10) / 10.0)
        .put("registrationQueue", (long) gauge("foyer.writer.queued.rows", "registrations"))
        .put("drivesLobbies", new JsonArray(drivenLines))
        .put("counters", new JsonObject()
            .put("registrations", total("foyer.registrations"))
            .put("votes", total("foyer.ballots"))
            .put("quizAnswers", total("foyer.quiz.answers"))
            .put("lobbyJoins", total("foyer.lobby.joins")))
        .put("at", Times.format(now));
  }

  /** A counter's total over all its tags (the lobby's joins are counted per outcome). */
  private long total(String name) {
    return Math.round(metrics.find(name).counters().stream().mapToDouble(Counter::count).sum());
  }

  /** A writer's gauge, summed over its writers of every region's database (writer, writer@region). */
  private double gauge(String name, String writer) {
    return metrics.find(name).gauges().stream().filter(gauge -> {
      String tag = gauge.getId().getTag("writer");
      return tag != null && (tag.equals(writer) || tag.startsWith(writer + "@"));
    }).mapToDouble(Gauge::value).sum();
  }
}
