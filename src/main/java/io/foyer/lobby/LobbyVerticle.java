package io.foyer.lobby;

import static io.foyer.lobby.LineKeys.BLOCK;
import static io.foyer.lobby.LineKeys.KEY_TTL;
import static io.foyer.lobby.LineKeys.WATCHED;
import static io.foyer.lobby.LineKeys.aliveKey;
import static io.foyer.lobby.LineKeys.arrivalsKey;
import static io.foyer.lobby.LineKeys.block;
import static io.foyer.lobby.LineKeys.controlKey;
import static io.foyer.lobby.LineKeys.issuedKey;
import static io.foyer.lobby.LineKeys.period;
import static io.foyer.lobby.LineKeys.servingKey;
import static io.foyer.lobby.LineKeys.stateKey;

import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.bus.Bus;
import io.foyer.config.FoyerConfig.LobbyConfig;
import io.foyer.events.EventCatalog;
import io.foyer.gateway.Gateway;
import io.foyer.gateway.Topic;
import io.foyer.http.Times;
import io.foyer.live.LiveState;
import io.foyer.lobby.LobbyDesk.View;
import io.foyer.lobby.LobbyMessages.ChangeSettings;
import io.foyer.lobby.LobbyMessages.Control;
import io.foyer.lobby.LobbyMessages.OfEvent;
import io.foyer.lobby.LobbySettings.Mode;
import io.foyer.presence.Presence;
import io.foyer.store.RegionalStores;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lobby of every event (docs/api.md#lobby): a line kept as counters in LiveState, never as a list of who
 * waits. Joining takes the next number of the event's issued counter (one increment per batch of joins), and
 * the attendee's signed ticket carries it; the line's serving counter advances at the admission rate, and a
 * ticket whose place is at or below it is exchanged for an admission token, which registration needs while the
 * lobby is open.
 *
 * <p>Every node answers joins, statuses and exchanges, each event loop at its own {@link LobbyDesk}; this verticle
 * answers them on the event bus (for the gateway) with a desk of its own, and runs what organizers ask. Exactly
 * one node at a time drives the lines (opens and closes lobbies, advances serving counters, tells waiting
 * clients "now serving" once a second): the holder of a lease in LiveState, which another node takes within
 * {@link #LEASE_TTL} when the holder dies. One instance per node; its timers live on its own context.
 */
public final class LobbyVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(LobbyVerticle.class);
  /** A driving node silent this long loses the lease to the next node that asks. */
  static final Duration LEASE_TTL = Duration.ofSeconds(5);
  static final String DRIVER_LEASE = "lobby:driver";
  private static final String PRESSURE = "lobby:pressure";

  private final RegionalStores stores;
  private final EventCatalog catalog;
  private final LiveState live;
  private final Gateway gateway;
  private final Presence presence;
  private final LobbyDesks desks;
  private final LobbyConfig config;
  private final MeterRegistry metrics;
  private final String nodeId;
  // on this verticle's context only
  private final Map<Long, Driven> driven = new HashMap<>();
  private LobbyDesk desk;
  private boolean driving;
  private long nextLeaseMillis;
  private long nextSecondMillis;
  private List<Long> watched = List.of();
  private long tickTimer;

  /** The driving node's memory of one line: rate credit, when it was last driven, when it became calm. */
  private static final class Driven {
    LineState state;
    double credit;
    long lastTickMillis;
    long calmSinceMillis;
    boolean busy;
    Map<Long, Long> alive;
    /** The places {@link #alive} surely counts: those issued by the read before it, their counts written since. */
    long aliveKnownUpTo;
    long issuedAtLastRead;
  }

  public LobbyVerticle(RegionalStores stores, EventCatalog catalog, LiveState live, Gateway gateway, Presence presence,
      LobbyDesks desks, LobbyConfig config, MeterRegistry metrics, String nodeId) {
    this.stores = stores;
    this.catalog = catalog;
    this.live = live;
    this.gateway = gateway;
    this.presence = presence;
    this.desks = desks;
    this.config = config;
    this.metrics = metrics;
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    desk = desks.here();
    tickTimer = vertx.setPeriodic(config.tick().toMillis(), id -> tick());
    // the gateway's questions on the bus; the HTTP routes ask their own loop's desk
    return Future.all(List.of(
        Bus.serve(vertx, LobbyMessages.STATUS, desk::status),
        Bus.serve(vertx, LobbyMessages.CHECK_LIVE, desk::checkLive),
        Bus.serve(vertx, LobbyMessages.SETTINGS, (OfEvent request) -> desk.settingsOf(request.eventId(), true)
            .map(LobbySettings::toJson)),
        Bus.serve(vertx, LobbyMessages.CHANGE_SETTINGS, this::changeSettings),
        Bus.serve(vertx, LobbyMessages.STATE, (OfEvent request) -> stateOf(request.eventId())),
        Bus.serve(vertx, LobbyMessages.CONTROL, this::control),
        Bus.serve(vertx, LobbyMessages.LINES, this::lines)));
  }

  /** Lets the lease go, so that another node drives the lines at once rather than after its TTL. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(tickTimer);
    return driving ? live.renewIfHeld(DRIVER_LEASE, nodeId, Duration.ofMillis(1)).otherwiseEmpty()
        : Future.succeededFuture();
  }

  // ---- organizers ----

  private Future<JsonObject> changeSettings(ChangeSettings request) {
    long eventId = request.eventId();
    LobbySettings changed = LobbySettings.fromJson(request.body());
    return catalog.get(eventId).compose(event -> stores.ofEvent(eventId)).compose(pool -> pool
        .withTransaction(connection -> connection
            .preparedQuery(LobbySql.SAVE_SETTINGS).execute(Tuple.of(eventId, changed.toJson()))
            .compose(v -> AuditLog.record(connection, new AuditEntry(request.actor().name(), "lobby.settings.changed",
                eventId, "event:" + eventId, changed.toJson(), request.actor().remoteAddress())))))
        // a new mode ends an organizer's forced open or close
        .compose(v -> readControl(eventId))
        .compose(control -> live.put(controlKey(eventId), control.withForced(null).toJson().encode(), KEY_TTL))
        .map(v -> {
          desk.remember(eventId, changed);
          desk.watch(eventId);
          return changed.toJson();
        });
  }

  private Future<JsonObject> control(Control request) {
    long eventId = request.eventId();
    return catalog.get(eventId).compose(event -> readControl(eventId)).compose(control -> {
      LineControl changed = switch (request.action()) {
        case PAUSE -> control.withPaused(true);
        case RESUME -> control.withPaused(false);
        case OPEN -> control.withForced(true);
        case CLOSE -> control.withForced(false);
      };
      return stores.ofEvent(eventId).compose(pool -> pool.withConnection(connection -> AuditLog.record(connection,
              new AuditEntry(request.actor().name(), "lobby." + request.action().name().toLowerCase(Locale.ROOT),
                  eventId, "event:" + eventId, changed.toJson(), request.actor().remoteAddress()))))
          .compose(v -> live.put(controlKey(eventId), changed.toJson().encode(), KEY_TTL));
    }).compose(v -> {
      desk.watch(eventId);
      return stateOf(eventId);
    });
  }

  private Future<JsonObject> stateOf(long eventId) {
    return Future.all(desk.view(eventId, true), readControl(eventId), live.get(DRIVER_LEASE)).map(all -> {
      View view = all.resultAt(0);
      LineControl control = all.resultAt(1);
      return LobbyDesk.publicStatus(view).put("mode", view.settings().mode().apiName())
          .put("forced", control.forced() == null ? null : control.forced() ? "open" : "closed")
          .put("paused", control.paused())
          .put("issued", view.issued())
          .put("drainSeconds", Math.round(10.0 * view.waiting() / view.settings().admissionPerSecond()) / 10.0)
          .put("driver", all.resultAt(2));
    });
  }

  /** The lines being driven, each with its state: how long every queue is and how soon it drains. */
  private Future<JsonObject> lines(LobbyMessages.Lines request) {
    return live.hashCounters(WATCHED).compose(events -> {
      List<Long> ids = events.keySet().stream().map(Long::valueOf)
          .filter(id -> request.onlyEvent() == null || request.onlyEvent().equals(id)).sorted().toList();
      List<Future<JsonObject>> states = ids.stream().map(id -> stateOf(id).map(state -> state.put("eventId", id))
          // an event deleted since it was watched has no line to show
          .otherwise((JsonObject) null)).toList();
      return Future.all(states).map(all -> new JsonObject().put("lines", new JsonArray(
          states.stream().map(Future::result).filter(Objects::nonNull).toList())));
    });
  }

  private Future<LineControl> readControl(long eventId) {
    return live.get(controlKey(eventId)).map(LineControl::fromJson);
  }

  // ---- driving the lines (the lease holder only) ----

  private void tick() {
    long now = System.currentTimeMillis();
    if (now >= nextLeaseMillis) {
      nextLeaseMillis = now + 1000;
      reportPressure();
      Future<Boolean> lease = driving ? live.renewIfHeld(DRIVER_LEASE, nodeId, LEASE_TTL)
          : live.setIfAbsent(DRIVER_LEASE, nodeId, LEASE_TTL);
      lease.onComplete(ar -> {
        boolean was = driving;
        driving = ar.succeeded() && ar.result();
        if (driving != was) {
          log.info(driving ? "This node now drives the lobbies" : "This node no longer drives the lobbies");
          // a new driver reads each line's state afresh: another node may have changed it meanwhile
          driven.clear();
        }
      });
    }
    if (!driving) {
      return;
    }
    boolean second = now >= nextSecondMillis;
    if (second) {
      nextSecondMillis = now + 1000;
      live.hashCounters(WATCHED).onSuccess(events -> watched = events.keySet().stream().map(Long::valueOf).toList());
    }
    for (long eventId : watched) {
      Driven line = driven.computeIfAbsent(eventId, e -> new Driven());
      if (!line.busy) {
        line.busy = true;
        drive(eventId, line, now, second)
            .onComplete(ar -> {
              line.busy = false;
              if (ar.failed()) {
                log.warn("Lobby of event {} not driven this tick", eventId, ar.cause());
              }
            });
      }
    }
  }

  /**
   * Tells the driver when this node's registration writer has a wait (auto mode opens lobbies for it); with
   * regions, the longest wait of its writers (registrations, registrations@region).
   */
  private void reportPressure() {
    double seconds = metrics.find("foyer.writer.expected.wait").gauges().stream().filter(gauge -> {
      String writer = gauge.getId().getTag("writer");
      return writer != null && (writer.equals("registrations") || writer.startsWith("registrations@"));
    }).mapToDouble(Gauge::value).max().orElse(0);
    long millis = (long) (seconds * 1000);
    if (millis > 0) {
      live.put(PRESSURE, Long.toString(millis), Duration.ofSeconds(3))
          .onFailure(err -> log.debug("Registration wait not reported", err));
    }
  }

  private Future<Void> drive(long eventId, Driven line, long now, boolean second) {
    return desk.settingsOf(eventId, false).compose(settings -> {
      if (settings.mode() == Mode.OFF && line.state != null && !line.state.open()) {
        // nothing to drive: watched again when someone arrives or an organizer forces it open
        return second ? readControl(eventId).compose(control -> control.forced() != null ? Future.succeededFuture()
            : live.hashRemove(WATCHED, Long.toString(eventId)).andThen(ar -> driven.remove(eventId)))
            .mapEmpty() : Future.succeededFuture();
      }
      Future<LineState> state = line.state != null ? Future.succeededFuture(line.state)
          : live.get(stateKey(eventId)).map(json -> LineState.fromJson(json, settings));
      Future<LineControl> control = readControl(eventId);
      Future<Measures> measures = second && settings.mode() == Mode.AUTO ? measure(eventId)
          : Future.succeededFuture(null);
      Future<Long> issuedBefore = second ? live.counter(issuedKey(eventId)) : Future.succeededFuture(null);
      Future<Map<Long, Long>> alive = issuedBefore.compose(issued -> issued == null ? Future.succeededFuture(null)
          : aliveBlocks(eventId, settings, now));
      return Future.all(state, control, measures, alive)
          .compose(v -> Future.all(live.counter(issuedKey(eventId)), live.counter(servingKey(eventId)))
              .compose(counters -> {
                if (line.state == null) {
                  line.state = state.result();
                  line.lastTickMillis = now;
                }
                if (alive.result() != null) {
                  line.alive = alive.result();
                  // a place issued since the previous read may not be counted in this one yet
                  line.aliveKnownUpTo = line.issuedAtLastRead;
                  line.issuedAtLastRead = issuedBefore.result();
                }
                return step(eventId, settings, line, control.result(), measures.result(), counters.resultAt(0),
                    counters.resultAt(1), now, second);
              }));
    });
  }

  /** Arrivals in the last whole second, visitors online, and the worst registration wait reported. */
  private record Measures(long arrivalsPerSecond, long visitors, long registrationWaitMillis) {}

  private Future<Measures> measure(long eventId) {
    long lastSecond = System.currentTimeMillis() / 1000 - 1;
    return Future.all(live.counter(arrivalsKey(eventId, lastSecond)), presence.online(Topic.event(eventId).name()),
        live.get(PRESSURE)).map(all -> new Measures(all.resultAt(0), all.resultAt(1),
            all.resultAt(2) == null ? 0 : Long.parseLong(all.resultAt(2))));
  }

  private Future<Map<Long, Long>> aliveBlocks(long eventId, LobbySettings settings, long now) {
    long period = period(settings, now);
    return Future.all(live.hashCounters(aliveKey(eventId, period)), live.hashCounters(aliveKey(eventId, period - 1)))
        .map(all -> {
          Map<Long, Long> blocks = new HashMap<>();
          List.<Map<String, Long>>of(all.resultAt(0), all.resultAt(1)).forEach(counts -> counts.forEach(
              (block, count) -> blocks.merge(Long.valueOf(block), count, Math::max)));
          return blocks;
        })
        // not knowing who is still there, the driver skips nobody
        .otherwise((Map<Long, Long>) null);
  }

  private Future<Void> step(long eventId, LobbySettings settings, Driven line, LineControl control,
      Measures measures, long issued, long serving, long now, boolean second) {
    LineState before = line.state;
    boolean scheduled = settings.opensAt() != null && now < settings.opensAt().toEpochMilli();
    boolean open = decideOpen(settings, line, control, measures, issued - serving, scheduled, now);
    LineState state = before.withOpen(open, control.paused(), settings.opensAt());
    List<Future<?>> writes = new ArrayList<>();
    long servingNow = serving;
    if (settings.opensAt() != null && !scheduled && open && !state.shuffled(settings.opensAt())) {
      // the scheduled opening: everyone who came early gets a new place at random, once
      state = state.shuffledAt(settings.opensAt(), serving + 1, issued, ThreadLocalRandom.current().nextLong());
    }
    long advance = 0;
    if (before.open() && !open && issued > serving) {
      // closing: everyone still in line may go ahead
      advance = issued - serving;
    } else if (open && !control.paused() && !scheduled) {
      double elapsed = Math.min(1.0, (now - line.lastTickMillis) / 1000.0);
      line.credit = Math.min(line.credit + settings.admissionPerSecond() * elapsed, settings.admissionPerSecond() + 1);
      advance = advance(line, serving, issued) - serving;
      if (serving + advance == issued) {
        // an empty line saves no credit: whoever joins next is served at the rate, not in a burst
        line.credit = Math.min(line.credit, settings.admissionPerSecond() * config.tick().toMillis() / 1000.0);
      }
    }
    line.lastTickMillis = now;
    if (advance > 0) {
      servingNow += advance;
      writes.add(live.increment(servingKey(eventId), advance));
    }
    line.state = state;
    if (second || !state.equals(before)) {
      writes.add(live.put(stateKey(eventId), state.toJson().encode(), KEY_TTL));
      if (state.open() || before.open()) {
        writes.add(gateway.publish(Topic.lobby(eventId), "lobby", new JsonObject().put("open", state.open())
            .put("paused", state.paused()).put("serving", servingNow).put("waiting", Math.max(0, issued - servingNow))
            .put("ratePerSecond", settings.admissionPerSecond()).put("opensAt", Times.format(settings.opensAt()))));
      }
      if (state.open() != before.open()) {
        log.info("Lobby of event {} {}", eventId, state.open() ? "opened" : "closed");
      }
    }
    return Future.all(writes).mapEmpty();
  }

  private boolean decideOpen(LobbySettings settings, Driven line, LineControl control, Measures measures,
      long waiting, boolean scheduled, long now) {
    if (control.forced() != null) {
      return control.forced();
    }
    boolean wasOpen = line.state.open();
    switch (settings.mode()) {
      case OFF:
        return false;
      case ALWAYS:
        return true;
      default:
        break;
    }
    if (scheduled) {
      return true;
    }
    if (measures == null) {
      // measured once a second: in between the lobby stays as it is
      return wasOpen;
    }
    LobbySettings.Thresholds above = settings.openAbove();
    if (!wasOpen) {
      return passes(measures.arrivalsPerSecond(), above.arrivalsPerSecond(), 1)
          || passes(measures.visitors(), above.concurrentVisitors(), 1)
          || passes(measures.registrationWaitMillis(), above.registrationWaitMillis(), 1);
    }
    double fraction = settings.closeBelowFraction();
    boolean calm = waiting == 0 && !passes(measures.arrivalsPerSecond(), above.arrivalsPerSecond(), fraction)
        && !passes(measures.visitors(), above.concurrentVisitors(), fraction)
        && !passes(measures.registrationWaitMillis(), above.registrationWaitMillis(), fraction);
    if (!calm) {
      line.calmSinceMillis = 0;
      return true;
    }
    if (line.calmSinceMillis == 0) {
      line.calmSinceMillis = now;
    }
    return now - line.calmSinceMillis < settings.calm().toMillis();
  }

  private static boolean passes(long measure, long threshold, double fraction) {
    return threshold > 0 && measure >= threshold * fraction;
  }

  /**
   * How far the serving counter may move on the credit: a place costs its block's share of tickets still
   * renewed, so a stretch of the line that left (tickets expired unused) is passed at no cost and the line never
   * waits for anyone who is gone. Without the blocks' counts, and in a block with places issued after they were
   * surely counted, every place costs one.
   */
  private static long advance(Driven line, long serving, long issued) {
    long position = serving;
    while (position < issued && line.credit > 0) {
      long block = block(position + 1);
      long blockEnd = Math.min((block + 1) * BLOCK, issued);
      double share = 1;
      if (line.alive != null && blockEnd <= line.aliveKnownUpTo) {
        long inBlock = blockEnd - block * BLOCK;
        share = Math.min(1.0, line.alive.getOrDefault(block, 0L) / (double) inBlock);
      }
      long left = blockEnd - position;
      if (share == 0) {
        position = blockEnd;
      } else if (left * share <= line.credit) {
        line.credit -= left * share;
        position = blockEnd;
      } else {
        long places = (long) (line.credit / share);
        line.credit -= places * share;
        position += places;
        break;
      }
    }
    return position;
  }

  // ---- keys ----







}
