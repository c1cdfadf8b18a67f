package io.foyer.lobby;

import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.auth.LobbyPasses;
import io.foyer.auth.LobbyPasses.Admission;
import io.foyer.auth.LobbyPasses.Ticket;
import io.foyer.bus.Bus;
import io.foyer.config.FoyerConfig.LobbyConfig;
import io.foyer.events.EventCatalog;
import io.foyer.gateway.Gateway;
import io.foyer.gateway.Topic;
import io.foyer.http.Times;
import io.foyer.live.LiveState;
import io.foyer.lobby.LobbyMessages.Action;
import io.foyer.lobby.LobbyMessages.Admit;
import io.foyer.lobby.LobbyMessages.ChangeSettings;
import io.foyer.lobby.LobbyMessages.CheckRegistration;
import io.foyer.lobby.LobbyMessages.Control;
import io.foyer.lobby.LobbyMessages.Join;
import io.foyer.lobby.LobbyMessages.OfEvent;
import io.foyer.lobby.LobbyMessages.Status;
import io.foyer.lobby.LobbySettings.Mode;
import io.foyer.presence.Presence;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
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
 * <p>Every node answers joins, statuses and exchanges. Exactly one node at a time drives the lines (opens and
 * closes lobbies, advances serving counters, tells waiting clients "now serving" once a second): the holder of
 * a lease in LiveState, which another node takes within {@link #LEASE_TTL} when the holder dies. One instance
 * per node; its caches and timers live on its own context.
 */
public final class LobbyVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(LobbyVerticle.class);
  /** A driving node silent this long loses the lease to the next node that asks. */
  static final Duration LEASE_TTL = Duration.ofSeconds(5);
  /** Places counted together when skipping expired tickets: the line's only per-place bookkeeping. */
  static final int BLOCK = 64;
  /** A lobby's keys in LiveState go this long after its last write. */
  private static final Duration KEY_TTL = Duration.ofDays(2);
  private static final long VIEW_MAX_AGE_NANOS = Duration.ofMillis(200).toNanos();
  private static final long SETTINGS_MAX_AGE_NANOS = Duration.ofSeconds(1).toNanos();
  private static final long WATCH_AGAIN_MILLIS = Duration.ofMinutes(1).toMillis();
  private static final String DRIVER_LEASE = "lobby:driver";
  private static final String WATCHED = "lobby:events";
  private static final String PRESSURE = "lobby:pressure";

  private final Pool pool;
  private final EventCatalog catalog;
  private final LiveState live;
  private final Gateway gateway;
  private final Presence presence;
  private final LobbyPasses passes;
  private final LobbyConfig config;
  private final MeterRegistry metrics;
  private final String nodeId;
  private final Counter wentAhead;
  private final Counter queued;
  private final Counter admissions;
  // on this verticle's context only
  private final Map<Long, Cached<LobbySettings>> settings = new HashMap<>();
  private final Map<Long, Cached<View>> views = new HashMap<>();
  private final Map<Long, Cached<Long>> onlineCounts = new HashMap<>();
  private final Map<Long, Future<View>> loadingViews = new HashMap<>();
  private final Map<Long, Numbering> numbering = new HashMap<>();
  private final Map<Long, Long> arrivals = new HashMap<>();
  private final Map<Long, Long> watchedAt = new HashMap<>();
  private final Map<Long, Driven> driven = new HashMap<>();
  private boolean driving;
  private long nextLeaseMillis;
  private long nextSecondMillis;
  private List<Long> watched = List.of();
  private long tickTimer;

  private record Cached<T>(T value, long loadedAt) {}

  /**
   * What a node knows of one line, at most {@link #VIEW_MAX_AGE_NANOS} old: the driver's state and both counters.
   */
  record View(LobbySettings settings, LineState state, long issued, long serving) {
    long waiting() {
      return Math.max(0, issued - serving);
    }
  }

  /** Joins of one event waiting for their numbers: one increment of the issued counter for all of them. */
  private static final class Numbering {
    final List<Promise<Long>> waiting = new ArrayList<>();
    boolean inFlight;
  }

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

  public LobbyVerticle(Pool pool, EventCatalog catalog, LiveState live, Gateway gateway, Presence presence,
      LobbyPasses passes, LobbyConfig config, MeterRegistry metrics, String nodeId) {
    this.pool = pool;
    this.catalog = catalog;
    this.live = live;
    this.gateway = gateway;
    this.presence = presence;
    this.passes = passes;
    this.config = config;
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.wentAhead = joins(metrics, "admitted");
    this.queued = joins(metrics, "waiting");
    this.admissions = Counter.builder("foyer.lobby.admissions").description("tickets exchanged for an admission "
        + "(an exchange asked again counts again)").register(metrics);
  }

  private static Counter joins(MeterRegistry metrics, String outcome) {
    return Counter.builder("foyer.lobby.joins").tag("outcome", outcome)
        .description("lobby joins answered: admitted at once (lobby closed) or given a place").register(metrics);
  }

  @Override
  public Future<?> start() {
    tickTimer = vertx.setPeriodic(config.tick().toMillis(), id -> tick());
    return Future.all(List.of(
        Bus.serve(vertx, LobbyMessages.JOIN, this::join),
        Bus.serve(vertx, LobbyMessages.STATUS, this::status),
        Bus.serve(vertx, LobbyMessages.ADMIT, this::admit),
        Bus.serve(vertx, LobbyMessages.CHECK_REGISTRATION, this::checkRegistration),
        Bus.serve(vertx, LobbyMessages.CHECK_LIVE, this::checkLive),
        Bus.serve(vertx, LobbyMessages.SETTINGS, (OfEvent request) -> settingsOf(request.eventId(), true)
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
    flushArrivals();
    return driving ? live.renewIfHeld(DRIVER_LEASE, nodeId, Duration.ofMillis(1)).otherwiseEmpty()
        : Future.succeededFuture();
  }

  // ---- joining, waiting, admission ----

  private Future<JsonObject> join(Join request) {
    long eventId = request.eventId();
    return rateLimited("address", request.address(), config.joinsPerAddressPerMinute())
        .compose(v -> rateLimited("email", request.email(), config.joinsPerEmailPerMinute()))
        .compose(v -> view(eventId, false))
        .compose(view -> {
          arrived(eventId);
          if (!view.state().open()) {
            wentAhead.increment();
            return Future.succeededFuture(goAhead(eventId, view.settings()));
          }
          if (view.waiting() >= view.settings().maxQueue()) {
            long seconds = (long) Math.ceil(Math.max(1, view.waiting() - view.settings().maxQueue() + 1)
                / view.settings().admissionPerSecond());
            return Future.failedFuture(new ProblemException(ProblemType.LOBBY_FULL, "the line of event " + eventId
                + " is full (" + view.settings().maxQueue() + " waiting); try again later", null,
                Duration.ofSeconds(Math.max(1, seconds))));
          }
          long now = System.currentTimeMillis();
          return nextNumber(eventId).map(number -> {
            queued.increment();
            return waiting(view, new Ticket(eventId, number, now));
          });
        });
  }

  /** A ticket's status, renewed: the heartbeat that keeps a waiting attendee's place. */
  private Future<JsonObject> status(Status request) {
    long eventId = request.eventId();
    if (request.ticket() == null) {
      return view(eventId, false).map(view -> publicStatus(view));
    }
    return validTicket(eventId, request.ticket()).compose(ticket -> view(eventId, false).compose(view -> {
      long now = System.currentTimeMillis();
      Ticket renewed = new Ticket(eventId, ticket.number(), now);
      long period = period(view.settings(), now);
      Long place = view.state().placeOf(ticket.number());
      // each ticket counts once per period, in its block, so the driver knows which stretches of the line left
      Future<?> counted = place == null || period(view.settings(), ticket.renewedAtMillis()) == period
          ? Future.succeededFuture()
          : live.hashIncrement(aliveKey(eventId, period), Long.toString(block(place)), 1,
              view.settings().ticketTtl().multipliedBy(2));
      return counted.map(v -> waiting(view, renewed));
    }));
  }

  private Future<JsonObject> admit(Admit request) {
    long eventId = request.eventId();
    return validTicket(eventId, request.ticket()).compose(ticket -> view(eventId, false)
        .compose(view -> turnCame(view, ticket) ? Future.succeededFuture(view) : view(eventId, true))
        .compose(view -> {
          if (!turnCame(view, ticket)) {
            Long place = view.state().placeOf(ticket.number());
            long ahead = place == null ? view.waiting() : place - view.serving() - 1;
            return Future.failedFuture(new ProblemException(ProblemType.NOT_YOUR_TURN, ahead
                + " places before yours are still to be served; wait for the lobby's \"now serving\"", null,
                Duration.ofSeconds(Math.max(1, (long) Math.ceil((ahead + 1) / view.settings().admissionPerSecond())))));
          }
          String id = "q" + ticket.number();
          Duration ttl = view.settings().admissionTtl();
          String now = Long.toString(Instant.now().getEpochSecond());
          // the first exchange fixes when the admission was issued, so asking again signs the very same token
          return live.setIfAbsent(admittedKey(eventId, id), now, ttl)
              .compose(first -> first ? Future.succeededFuture(now) : live.get(admittedKey(eventId, id)))
              .map(issued -> {
                admissions.increment();
                return admitted(eventId, id, Instant.ofEpochSecond(Long.parseLong(issued == null ? now : issued)), ttl);
              });
        }));
  }

  private Future<Void> checkRegistration(CheckRegistration request) {
    long eventId = request.eventId();
    arrived(eventId);
    return view(eventId, false).compose(view -> {
      if (!view.state().open()) {
        return Future.succeededFuture();
      }
      if (request.admission() == null || request.admission().isBlank()) {
        return Future.failedFuture(new ProblemException(ProblemType.ADMISSION_REQUIRED, "the lobby of event "
            + eventId + " is open: join it (POST /api/events/" + eventId + "/lobby) and register with the "
            + "admission token you get when your turn comes, in the Foyer-Admission header"));
      }
      String email = request.email() == null ? "" : request.email().trim().toLowerCase(Locale.ROOT);
      // one registration per admission; retrying the same one (the same email) is fine
      return admittedOnce(eventId, request.admission(), "used", email, "register someone else");
    });
  }

  private Future<Void> checkLive(LobbyMessages.CheckLive request) {
    long eventId = request.eventId();
    return view(eventId, false).compose(view -> {
      long guard = view.settings().guardLiveAbove();
      if (guard == 0 || !view.state().open()) {
        return Future.succeededFuture();
      }
      return online(eventId).compose(online -> {
        if (online < guard) {
          return Future.succeededFuture();
        }
        if (request.admission() == null || request.admission().isBlank()) {
          return Future.failedFuture(new ProblemException(ProblemType.ADMISSION_REQUIRED, "the live page of event "
              + eventId + " is full: join its lobby (POST /api/events/" + eventId + "/lobby) and connect with the "
              + "admission token you get when your turn comes"));
        }
        return admittedOnce(eventId, request.admission(), "live", request.registrationId().toString(),
            "let someone else in");
      });
    });
  }

  /**
   * Checks an admission token of the event and binds it to its first holder (an email, a registration) for what
   * it is used for; the same holder may use it again, anyone else gets admission-used.
   */
  private Future<Void> admittedOnce(long eventId, String token, String use, String holder, String misuse) {
    return passes.readAdmission(token).compose(admission -> {
      if (admission.eventId() != eventId) {
        return Future.failedFuture(new ProblemException(ProblemType.INVALID_ADMISSION,
            "this admission token is for another event"));
      }
      Duration left = Duration.between(Instant.now(), admission.expiresAt());
      String key = "lobby:" + eventId + ":" + use + ":" + admission.id();
      return live.setIfAbsent(key, holder, left.isNegative() || left.isZero() ? Duration.ofSeconds(1) : left)
          .compose(first -> first ? Future.succeededFuture(holder) : live.get(key))
          .compose(bound -> bound == null || bound.equals(holder) ? Future.<Void>succeededFuture()
              : Future.failedFuture(new ProblemException(ProblemType.ADMISSION_USED,
                  "this admission token was used to " + misuse + "; join the lobby again")));
    });
  }

  /** Attendees on the event's live page, read at most once a second per event on this node. */
  private Future<Long> online(long eventId) {
    Cached<Long> cached = onlineCounts.get(eventId);
    if (cached != null && System.nanoTime() - cached.loadedAt() < SETTINGS_MAX_AGE_NANOS) {
      return Future.succeededFuture(cached.value());
    }
    return presence.online(Topic.event(eventId).name()).andThen(ar -> {
      if (ar.succeeded()) {
        onlineCounts.put(eventId, new Cached<>(ar.result(), System.nanoTime()));
      }
    });
  }

  private Future<Ticket> validTicket(long eventId, String token) {
    return passes.readTicket(token).compose(ticket -> {
      if (ticket.eventId() != eventId) {
        return Future.failedFuture(new ProblemException(ProblemType.INVALID_TICKET,
            "this ticket is for another event's lobby"));
      }
      return settingsOf(eventId, false).compose(settings -> {
        if (System.currentTimeMillis() - ticket.renewedAtMillis() > settings.ticketTtl().toMillis()) {
          return Future.failedFuture(new ProblemException(ProblemType.TICKET_EXPIRED, "this ticket was not renewed "
              + "within " + settings.ticketTtl().toSeconds() + " s; join the lobby again"));
        }
        return Future.succeededFuture(ticket);
      });
    });
  }

  private static boolean turnCame(View view, Ticket ticket) {
    Long place = view.state().placeOf(ticket.number());
    return place != null && place <= view.serving();
  }

  private JsonObject goAhead(long eventId, LobbySettings settings) {
    return admitted(eventId, "g" + UUID.randomUUID(), Instant.ofEpochSecond(Instant.now().getEpochSecond()),
        settings.admissionTtl());
  }

  private JsonObject admitted(long eventId, String id, Instant issuedAt, Duration ttl) {
    Instant expiresAt = issuedAt.plus(ttl);
    return new JsonObject().put("status", "admitted")
        .put("admission", passes.admission(new Admission(eventId, id, expiresAt), issuedAt))
        .put("expiresAt", Times.format(expiresAt));
  }

  private JsonObject waiting(View view, Ticket ticket) {
    Long place = view.state().placeOf(ticket.number());
    JsonObject json = publicStatus(view);
    boolean turn = place != null && place <= view.serving();
    Long ahead = place == null ? null : Math.max(0, place - view.serving() - 1);
    return json.put("status", turn ? "your-turn" : "waiting")
        .put("ticket", passes.ticket(ticket))
        .put("place", place)
        .put("ahead", turn ? Long.valueOf(0) : ahead)
        .put("etaSeconds", turn || ahead == null || !view.state().open() || view.state().paused() ? null
            : Math.round(10.0 * (ahead + 1) / view.settings().admissionPerSecond()) / 10.0)
        .put("heartbeatSeconds", view.settings().heartbeat().toSeconds());
  }

  private static JsonObject publicStatus(View view) {
    return new JsonObject().put("open", view.state().open()).put("paused", view.state().paused())
        .put("serving", view.serving()).put("waiting", view.waiting())
        .put("ratePerSecond", view.settings().admissionPerSecond())
        .put("opensAt", Times.format(view.settings().opensAt()));
  }

  /**
   * The next number of the event's line. Joins that come while an increment is under way wait for the next
   * one, which numbers them all at once in the order they came: one LiveState round trip per batch.
   */
  private Future<Long> nextNumber(long eventId) {
    Numbering batch = numbering.computeIfAbsent(eventId, e -> new Numbering());
    Promise<Long> number = Promise.promise();
    batch.waiting.add(number);
    if (!batch.inFlight) {
      numberBatch(eventId, batch);
    }
    return number.future();
  }

  private void numberBatch(long eventId, Numbering batch) {
    List<Promise<Long>> joins = List.copyOf(batch.waiting);
    batch.waiting.clear();
    batch.inFlight = true;
    settingsOf(eventId, false).compose(settings -> live.increment(issuedKey(eventId), joins.size())
        .compose(last -> countNewTickets(eventId, settings, last - joins.size() + 1, last).map(last)))
        .onComplete(ar -> {
          batch.inFlight = false;
          for (int i = 0; i < joins.size(); i++) {
            if (ar.succeeded()) {
              joins.get(i).complete(ar.result() - joins.size() + 1 + i);
            } else {
              joins.get(i).fail(ar.cause());
            }
          }
          if (!batch.waiting.isEmpty()) {
            numberBatch(eventId, batch);
          } else {
            numbering.remove(eventId);
          }
        });
  }

  /** New tickets count as alive in this period, in their blocks (a pre-queue's are counted again once placed). */
  private Future<Void> countNewTickets(long eventId, LobbySettings settings, long first, long last) {
    String key = aliveKey(eventId, period(settings, System.currentTimeMillis()));
    List<Future<Long>> counted = new ArrayList<>();
    for (long block = block(first); block <= block(last); block++) {
      long from = Math.max(first, block * BLOCK + 1);
      long to = Math.min(last, (block + 1) * BLOCK);
      counted.add(live.hashIncrement(key, Long.toString(block), to - from + 1, settings.ticketTtl().multipliedBy(2)));
    }
    return Future.all(counted).mapEmpty();
  }

  private Future<Void> rateLimited(String what, String who, int perMinute) {
    if (perMinute <= 0 || who == null || who.isBlank()) {
      return Future.succeededFuture();
    }
    long minute = System.currentTimeMillis() / 60_000;
    String key = "lobby:limit:" + what + ":" + who.trim().toLowerCase(Locale.ROOT) + ":" + minute;
    return live.incrementWithExpiry(key, 1, Duration.ofMinutes(1)).compose(count -> count <= perMinute
        ? Future.succeededFuture()
        : Future.failedFuture(new ProblemException(ProblemType.RATE_LIMITED, "more than " + perMinute
            + " lobby joins in a minute from this " + what + "; try again later", null,
            Duration.ofMillis(60_000 - System.currentTimeMillis() % 60_000))));
  }

  /** Counts an arrival for auto mode (written once per tick), and makes sure the driver watches the event. */
  private void arrived(long eventId) {
    arrivals.merge(eventId, 1L, Long::sum);
    long now = System.currentTimeMillis();
    Long since = watchedAt.get(eventId);
    if (since == null || now - since > WATCH_AGAIN_MILLIS) {
      watchedAt.put(eventId, now);
      watch(eventId);
    }
  }

  private void watch(long eventId) {
    live.hashPut(WATCHED, Long.toString(eventId), System.currentTimeMillis())
        .onFailure(err -> log.warn("Could not mark the lobby of event {} to be driven", eventId, err));
  }

  private void flushArrivals() {
    long second = System.currentTimeMillis() / 1000;
    arrivals.forEach((eventId, count) -> live.incrementWithExpiry(arrivalsKey(eventId, second), count,
        Duration.ofSeconds(10)).onFailure(err -> log.debug("Arrivals of event {} not counted", eventId, err)));
    arrivals.clear();
  }

  // ---- what a node knows of a line ----

  private Future<LobbySettings> settingsOf(long eventId, boolean fresh) {
    Cached<LobbySettings> cached = settings.get(eventId);
    if (!fresh && cached != null && System.nanoTime() - cached.loadedAt() < SETTINGS_MAX_AGE_NANOS) {
      return Future.succeededFuture(cached.value());
    }
    // an unknown event is a 404 here, before anything of its lobby is counted
    return catalog.get(eventId).compose(event -> pool.preparedQuery(LobbySql.SETTINGS).execute(Tuple.of(eventId)))
        .map(rows -> {
          LobbySettings read = rows.size() == 0 ? LobbySettings.DEFAULTS
              : LobbySettings.fromJson((JsonObject) rows.iterator().next().getValue("settings"));
          settings.put(eventId, new Cached<>(read, System.nanoTime()));
          return read;
        });
  }

  /** The line as LiveState has it, read at most every 200 ms per event on this node (fresh: read now). */
  private Future<View> view(long eventId, boolean fresh) {
    Cached<View> cached = views.get(eventId);
    if (!fresh && cached != null && System.nanoTime() - cached.loadedAt() < VIEW_MAX_AGE_NANOS) {
      return Future.succeededFuture(cached.value());
    }
    Future<View> loading = loadingViews.get(eventId);
    if (loading != null) {
      return loading;
    }
    Future<View> load = settingsOf(eventId, false).compose(settings -> Future.all(live.get(stateKey(eventId)),
            live.counter(issuedKey(eventId)), live.counter(servingKey(eventId)))
        .map(all -> {
          LineState state = LineState.fromJson(all.resultAt(0), settings);
          View view = new View(settings, state, all.resultAt(1), all.resultAt(2));
          views.put(eventId, new Cached<>(view, System.nanoTime()));
          return view;
        }))
        .andThen(ar -> loadingViews.remove(eventId));
    if (!load.isComplete()) {
      loadingViews.put(eventId, load);
    }
    return load;
  }

  // ---- organizers ----

  private Future<JsonObject> changeSettings(ChangeSettings request) {
    long eventId = request.eventId();
    LobbySettings changed = LobbySettings.fromJson(request.body());
    return catalog.get(eventId).compose(event -> pool.withTransaction(connection -> connection
            .preparedQuery(LobbySql.SAVE_SETTINGS).execute(Tuple.of(eventId, changed.toJson()))
            .compose(v -> AuditLog.record(connection, new AuditEntry(request.actor().name(), "lobby.settings.changed",
                eventId, "event:" + eventId, changed.toJson(), request.actor().remoteAddress())))))
        // a new mode ends an organizer's forced open or close
        .compose(v -> readControl(eventId))
        .compose(control -> live.put(controlKey(eventId), control.withForced(null).toJson().encode(), KEY_TTL))
        .map(v -> {
          settings.put(eventId, new Cached<>(changed, System.nanoTime()));
          views.remove(eventId);
          watch(eventId);
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
      return pool.withConnection(connection -> AuditLog.record(connection, new AuditEntry(request.actor().name(),
              "lobby." + request.action().name().toLowerCase(Locale.ROOT), eventId, "event:" + eventId,
              changed.toJson(), request.actor().remoteAddress())))
          .compose(v -> live.put(controlKey(eventId), changed.toJson().encode(), KEY_TTL));
    }).compose(v -> {
      watch(eventId);
      return stateOf(eventId);
    });
  }

  private Future<JsonObject> stateOf(long eventId) {
    return Future.all(view(eventId, true), readControl(eventId), live.get(DRIVER_LEASE)).map(all -> {
      View view = all.resultAt(0);
      LineControl control = all.resultAt(1);
      return publicStatus(view).put("mode", view.settings().mode().apiName())
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
    flushArrivals();
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
    forgetIdle(now);
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

  /** Drops what this node cached of events nobody asked about lately: the maps hold the events in use only. */
  private void forgetIdle(long nowMillis) {
    long now = System.nanoTime();
    settings.values().removeIf(cached -> now - cached.loadedAt() > 10 * SETTINGS_MAX_AGE_NANOS);
    views.values().removeIf(cached -> now - cached.loadedAt() > 10 * SETTINGS_MAX_AGE_NANOS);
    onlineCounts.values().removeIf(cached -> now - cached.loadedAt() > 10 * SETTINGS_MAX_AGE_NANOS);
    watchedAt.values().removeIf(since -> nowMillis - since > WATCH_AGAIN_MILLIS);
  }

  /** Tells the driver when this node's registration writer has a wait (auto mode opens lobbies for it). */
  private void reportPressure() {
    Gauge wait = metrics.find("foyer.writer.expected.wait").tag("writer", "registrations").gauge();
    long millis = wait == null ? 0 : (long) (wait.value() * 1000);
    if (millis > 0) {
      live.put(PRESSURE, Long.toString(millis), Duration.ofSeconds(3))
          .onFailure(err -> log.debug("Registration wait not reported", err));
    }
  }

  private Future<Void> drive(long eventId, Driven line, long now, boolean second) {
    return settingsOf(eventId, false).compose(settings -> {
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

  private static long block(long place) {
    return (place - 1) / BLOCK;
  }

  /** Tickets are renewed three times per lifetime: each renews at least once in a period of half a lifetime. */
  private static long period(LobbySettings settings, long millis) {
    return millis / Math.max(1, settings.ticketTtl().toMillis() / 2);
  }

  static String issuedKey(long eventId) {
    return "lobby:" + eventId + ":issued";
  }

  static String servingKey(long eventId) {
    return "lobby:" + eventId + ":serving";
  }

  private static String stateKey(long eventId) {
    return "lobby:" + eventId + ":state";
  }

  private static String controlKey(long eventId) {
    return "lobby:" + eventId + ":control";
  }

  private static String arrivalsKey(long eventId, long second) {
    return "lobby:" + eventId + ":arrivals:" + second;
  }

  private static String aliveKey(long eventId, long period) {
    return "lobby:" + eventId + ":alive:" + period;
  }

  private static String admittedKey(long eventId, String admission) {
    return "lobby:" + eventId + ":admitted:" + admission;
  }

}
