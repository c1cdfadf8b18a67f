package io.foyer.lobby;

import static io.foyer.lobby.LineKeys.BLOCK;
import static io.foyer.lobby.LineKeys.WATCHED;
import static io.foyer.lobby.LineKeys.admittedKey;
import static io.foyer.lobby.LineKeys.aliveKey;
import static io.foyer.lobby.LineKeys.arrivalsKey;
import static io.foyer.lobby.LineKeys.block;
import static io.foyer.lobby.LineKeys.issuedKey;
import static io.foyer.lobby.LineKeys.period;
import static io.foyer.lobby.LineKeys.servingKey;
import static io.foyer.lobby.LineKeys.stateKey;

import io.foyer.auth.LobbyPasses;
import io.foyer.auth.LobbyPasses.Admission;
import io.foyer.auth.LobbyPasses.Ticket;
import io.foyer.config.FoyerConfig.LobbyConfig;
import io.foyer.events.EventCatalog;
import io.foyer.gateway.Topic;
import io.foyer.http.Times;
import io.foyer.live.LiveState;
import io.foyer.lobby.LobbyMessages.Admit;
import io.foyer.lobby.LobbyMessages.CheckLive;
import io.foyer.lobby.LobbyMessages.CheckRegistration;
import io.foyer.lobby.LobbyMessages.Join;
import io.foyer.lobby.LobbyMessages.Status;
import io.foyer.presence.Presence;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a node answers attendees about a line (docs/api.md#lobby): joins, statuses and renewals, exchanges, and
 * whether a registration or a live-page socket may go ahead. One desk per event loop, on that loop's context, so a
 * join is answered on the loop that received it: a join is a counter step and a signed ticket, and a hop to one
 * verticle's loop and back would cost it about a third of its CPU. The desk keeps what it read of each line (at
 * most 200 ms old) and of its settings (1 s); joins that arrive while its increment of a line's counter is under
 * way are numbered together by the next one. {@link LobbyVerticle} drives the lines and serves the same answers
 * on the event bus for the gateway.
 */
public final class LobbyDesk {

  private static final Logger log = LoggerFactory.getLogger(LobbyDesk.class);
  private static final long VIEW_MAX_AGE_NANOS = Duration.ofMillis(200).toNanos();
  private static final long SETTINGS_MAX_AGE_NANOS = Duration.ofSeconds(1).toNanos();
  private static final long WATCH_AGAIN_MILLIS = Duration.ofMinutes(1).toMillis();
  /** How often a desk writes its arrivals and forgets the events nobody asked about lately. */
  private static final long FLUSH_MILLIS = 200;

  private final LobbyDesks shared;
  private final RegionalStores stores;
  private final EventCatalog catalog;
  private final LiveState live;
  private final Presence presence;
  private final LobbyPasses passes;
  private final LobbyConfig config;
  // on this desk's context only
  private final Map<Long, Cached<LobbySettings>> settings = new HashMap<>();
  private final Map<Long, Cached<View>> views = new HashMap<>();
  private final Map<Long, Cached<Long>> onlineCounts = new HashMap<>();
  private final Map<Long, Future<View>> loadingViews = new HashMap<>();
  private final Map<Long, Numbering> numbering = new HashMap<>();
  private final Map<Long, Long> arrivals = new HashMap<>();
  private final Map<Long, Long> watchedAt = new HashMap<>();

  LobbyDesk(LobbyDesks shared, Context context) {
    this.shared = shared;
    this.stores = shared.stores;
    this.catalog = shared.catalog;
    this.live = shared.live;
    this.presence = shared.presence;
    this.passes = shared.passes;
    this.config = shared.config;
    // a timer set on the context goes with it (the verticle's undeploy cancels it)
    context.owner().setPeriodic(FLUSH_MILLIS, id -> {
      flushArrivals();
      forgetIdle(System.currentTimeMillis());
    });
  }

  /** Takes settings just saved on this node, and reads the line afresh next time. */
  void remember(long eventId, LobbySettings saved) {
    settings.put(eventId, new Cached<>(saved, System.nanoTime()));
    views.remove(eventId);
  }

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

  Future<JsonObject> join(Join request) {
    long eventId = request.eventId();
    return rateLimited("address", request.address(), config.joinsPerAddressPerMinute())
        .compose(v -> rateLimited("email", request.email(), config.joinsPerEmailPerMinute()))
        .compose(v -> view(eventId, false))
        .compose(view -> {
          arrived(eventId);
          if (!view.state().open()) {
            shared.wentAhead.increment();
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
            shared.queued.increment();
            return waiting(view, new Ticket(eventId, number, now));
          });
        });
  }

  /** A ticket's status, renewed: the heartbeat that keeps a waiting attendee's place. */
  Future<JsonObject> status(Status request) {
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

  Future<JsonObject> admit(Admit request) {
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
                shared.admissions.increment();
                return admitted(eventId, id, Instant.ofEpochSecond(Long.parseLong(issued == null ? now : issued)), ttl);
              });
        }));
  }

  public Future<Void> checkRegistration(CheckRegistration request) {
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

  Future<Void> checkLive(CheckLive request) {
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

  static JsonObject publicStatus(View view) {
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

  void watch(long eventId) {
    live.hashPut(WATCHED, Long.toString(eventId), System.currentTimeMillis())
        .onFailure(err -> log.warn("Could not mark the lobby of event {} to be driven", eventId, err));
  }

  private void flushArrivals() {
    long second = System.currentTimeMillis() / 1000;
    arrivals.forEach((eventId, count) -> live.incrementWithExpiry(arrivalsKey(eventId, second), count,
        Duration.ofSeconds(10)).onFailure(err -> log.debug("Arrivals of event {} not counted", eventId, err)));
    arrivals.clear();
  }

  Future<LobbySettings> settingsOf(long eventId, boolean fresh) {
    Cached<LobbySettings> cached = settings.get(eventId);
    if (!fresh && cached != null && System.nanoTime() - cached.loadedAt() < SETTINGS_MAX_AGE_NANOS) {
      return Future.succeededFuture(cached.value());
    }
    // an unknown event is a 404 here, before anything of its lobby is counted
    return catalog.get(eventId).compose(event -> stores.ofEvent(eventId))
        .compose(pool -> pool.preparedQuery(LobbySql.SETTINGS).execute(Tuple.of(eventId)))
        .map(rows -> {
          LobbySettings read = rows.size() == 0 ? LobbySettings.DEFAULTS
              : LobbySettings.fromJson((JsonObject) rows.iterator().next().getValue("settings"));
          settings.put(eventId, new Cached<>(read, System.nanoTime()));
          return read;
        });
  }

  /** The line as LiveState has it, read at most every 200 ms per event on this node (fresh: read now). */
  Future<View> view(long eventId, boolean fresh) {
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

  /** Drops what this node cached of events nobody asked about lately: the maps hold the events in use only. */
  private void forgetIdle(long nowMillis) {
    long now = System.nanoTime();
    settings.values().removeIf(cached -> now - cached.loadedAt() > 10 * SETTINGS_MAX_AGE_NANOS);
    views.values().removeIf(cached -> now - cached.loadedAt() > 10 * SETTINGS_MAX_AGE_NANOS);
    onlineCounts.values().removeIf(cached -> now - cached.loadedAt() > 10 * SETTINGS_MAX_AGE_NANOS);
    watchedAt.values().removeIf(since -> nowMillis - since > WATCH_AGAIN_MILLIS);
  }
}
