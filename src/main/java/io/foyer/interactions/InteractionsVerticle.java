package io.foyer.interactions;

import io.foyer.audit.Actor;
import io.foyer.bus.Bus;
import io.foyer.config.FoyerConfig.InteractionsConfig;
import io.foyer.config.FoyerConfig.WriterConfig;
import io.foyer.events.EventCatalog;
import io.foyer.gateway.Gateway;
import io.foyer.gateway.Topic;
import io.foyer.interactions.InteractionMessages.CreatePoll;
import io.foyer.interactions.InteractionMessages.Export;
import io.foyer.interactions.InteractionMessages.Exported;
import io.foyer.interactions.InteractionMessages.ListPolls;
import io.foyer.interactions.InteractionMessages.OfPoll;
import io.foyer.interactions.InteractionMessages.ResultsQuery;
import io.foyer.interactions.InteractionMessages.Run;
import io.foyer.interactions.InteractionMessages.UpdatePoll;
import io.foyer.interactions.InteractionMessages.Vote;
import io.foyer.interactions.Poll.Status;
import io.foyer.live.LiveState;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.registration.RegistrationMessages;
import io.foyer.store.BatchResults;
import io.foyer.store.BatchingWriter;
import io.foyer.store.BatchingWriter.Atomicity;
import io.foyer.store.RegionalStores;
import io.foyer.store.RegionalWriters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interactions capability of a node: polls, and quizzes ({@link Quizzes}, which ask choice questions as polls
 * do and have their answers written the same way). Ballots go through its group-committing writer, one call of
 * foyer_cast_ballots per batch, and are answered only once durable; tallies are kept in LiveState, and results
 * pushed to a poll's audience at most every {@link #PUSH_INTERVAL} per poll across the cluster, however fast votes
 * arrive. One instance per node: its writers, caches, timers and set of polls with unpushed results live on its
 * own context.
 */
public final class InteractionsVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(InteractionsVerticle.class);
  /** Results of a poll are pushed at most once per interval (a claim in LiveState decides which node does). */
  static final Duration PUSH_INTERVAL = Duration.ofMillis(250);
  /** Live polls' tallies are kept from expiring at least this often (and four times per TTL when shorter). */
  private static final Duration KEEP_ALIVE_INTERVAL = Duration.ofMinutes(10);
  /** A poll is re-read after this, so a change made on another node (results shown) is seen within it. */
  private static final long CACHE_NANOS = Duration.ofSeconds(1).toNanos();

  private record Cached(Poll poll, long loadedAt) {}

  private final RegionalStores stores;
  private final EventCatalog catalog;
  private final LiveState live;
  private final Gateway gateway;
  private final WriterConfig writerConfig;
  private final MeterRegistry metrics;
  private final String nodeId;
  private final Answers answers;
  private final PollRepository polls;
  private final Tallies tallies;
  private final Duration liveStateTtl;
  /** Ballots this node committed that count: new ones and changed ones (a replay or a refusal is not counted). */
  private final Counter ballots;
  // on this verticle's context only
  private final Map<Long, Cached> cache = new HashMap<>();
  private final Map<Long, Long> unpushed = new LinkedHashMap<>();
  private Languages languages;
  /** One per region's database: a batch of ballots commits in one database. */
  private RegionalWriters<JsonObject, JsonObject> writers;
  private Quizzes quizzes;
  private long pushTimer;
  private long keepAliveTimer;

  public InteractionsVerticle(RegionalStores stores, EventCatalog catalog, LiveState live, Gateway gateway,
      WriterConfig writerConfig, InteractionsConfig config, MeterRegistry metrics, String nodeId) {
    this.stores = stores;
    this.catalog = catalog;
    this.live = live;
    this.gateway = gateway;
    this.writerConfig = writerConfig;
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.answers = new Answers(config.wordCloudBlocklist());
    this.polls = new PollRepository(stores);
    this.liveStateTtl = config.liveStateTtl();
    this.tallies = new Tallies(live, liveStateTtl);
    this.ballots = Counter.builder("foyer.ballots")
        .description("poll ballots this node committed (new or changed)").register(metrics);
  }

  @Override
  public Future<?> start() {
    writers = new RegionalWriters<>(stores, "ballots", (pool, name) ->
        new BatchingWriter<JsonObject, JsonObject>(context, pool, writerConfig, name, Atomicity.ONE_STATEMENT,
            (connection, ops) -> BatchResults.callWithRows(connection, InteractionSql.CAST_BALLOTS, ops))
            .withMetrics(metrics));
    languages = new Languages(vertx, catalog);
    pushTimer = vertx.setPeriodic(PUSH_INTERVAL.toMillis(), id -> pushUnpushedResults());
    long keepAliveMillis = Math.max(1, Math.min(KEEP_ALIVE_INTERVAL.toMillis(), liveStateTtl.toMillis() / 4));
    keepAliveTimer = vertx.setPeriodic(keepAliveMillis, id -> keepLiveTalliesAlive());
    quizzes = new Quizzes(context, stores, catalog, live, liveStateTtl, gateway, answers, languages, writerConfig,
        metrics);
    return Future.all(List.of(quizzes.start(),
        Bus.serve(vertx, InteractionMessages.CREATE, this::create),
        Bus.serve(vertx, InteractionMessages.UPDATE, this::update),
        Bus.serve(vertx, InteractionMessages.LIST, this::list),
        Bus.serve(vertx, InteractionMessages.GET, this::one),
        Bus.serve(vertx, InteractionMessages.RUN, this::run),
        Bus.serve(vertx, InteractionMessages.RESULTS, this::results),
        Bus.serve(vertx, InteractionMessages.EXPORT, this::export),
        Bus.serve(vertx, InteractionMessages.VOTE, this::vote)));
  }

  /** Writes every ballot already accepted before the node lets go of the database. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pushTimer);
    vertx.cancelTimer(keepAliveTimer);
    return Future.all(writers.close(), quizzes.stop());
  }

  private Future<JsonObject> create(CreatePoll request) {
    PollDefinition definition = PollDefinition.fromJson(request.body());
    Scopes.requireScope(request.runner().onlySession(), definition.sessionId());
    return checkWhere(request.eventId(), definition)
        .compose(v -> polls.create(request.eventId(), definition, request.runner().actor()))
        .map(Poll::toJson);
  }

  private Future<JsonObject> update(UpdatePoll request) {
    return polls.get(request.eventId(), request.pollId()).compose(current -> {
      Scopes.requireScope(request.runner().onlySession(), current.definition().sessionId());
      PollDefinition changed = PollDefinition.fromJson(current.definition().toJson().mergeIn(request.patch()));
      Scopes.requireScope(request.runner().onlySession(), changed.sessionId());
      return checkWhere(request.eventId(), changed)
          .compose(v -> polls.updateDraft(request.eventId(), request.pollId(), changed, request.runner().actor()));
    }).map(Poll::toJson);
  }

  private Future<Void> checkWhere(long eventId, PollDefinition definition) {
    return Scopes.checkWhere(catalog, eventId, definition.sessionId());
  }

  private Future<JsonObject> list(ListPolls request) {
    return polls.list(request.eventId()).compose(all -> {
      if (request.attendee() == null) {
        return catalog.get(request.eventId())
            .map(event -> new JsonObject().put("polls", new JsonArray(all.stream().map(Poll::toJson).toList())));
      }
      return languages.reader(request.eventId(), request.attendee()).map(reader -> new JsonObject().put("polls",
          new JsonArray(all.stream().filter(poll -> poll.status() != Status.DRAFT)
              .map(poll -> poll.inLanguage(reader.languageFor(poll.definition().languages()))).toList())));
    });
  }

  private Future<JsonObject> one(OfPoll request) {
    return polls.get(request.eventId(), request.pollId()).compose(poll -> {
      if (request.attendee() == null) {
        return Future.succeededFuture(poll.toJson());
      }
      if (poll.status() == Status.DRAFT) {
        return Future.failedFuture(PollRepository.notFound(poll.id()));
      }
      Future<JsonObject> results = poll.resultsVisible() ? resultsOf(poll) : Future.succeededFuture();
      return languages.reader(request.eventId(), request.attendee()).compose(reader -> results
          .map(visible -> poll.inLanguage(reader.languageFor(poll.definition().languages()))
              .put("results", visible)));
    });
  }

  private Future<JsonObject> run(Run request) {
    Long onlySession = request.runner().onlySession();
    // a session's presenter may act on that session's polls only, so it is read first
    return onlySession == null ? act(request) : polls.get(request.eventId(), request.pollId()).compose(poll -> {
      Scopes.requireScope(onlySession, poll.definition().sessionId());
      return act(request);
    });
  }

  private Future<JsonObject> act(Run request) {
    long eventId = request.eventId();
    long pollId = request.pollId();
    Actor actor = request.runner().actor();
    Future<Poll> changed = switch (request.action()) {
      case LAUNCH -> polls.transition(eventId, pollId, Status.DRAFT, Status.LIVE, actor);
      case CLOSE -> polls.transition(eventId, pollId, Status.LIVE, Status.CLOSED, actor).compose(this::closeTally);
      // the tally is set from the ballots before the reopen commits, so that votes count on from the totals
      case REOPEN -> polls.transition(eventId, pollId, Status.CLOSED, Status.LIVE, actor, tallies::reset);
      case SHOW_RESULTS -> polls.setResultsVisible(eventId, pollId, true, actor);
      case HIDE_RESULTS -> polls.setResultsVisible(eventId, pollId, false, actor);
    };
    return changed.compose(poll -> {
      cache.put(poll.id(), new Cached(poll, System.nanoTime()));
      return announce(poll).map(poll.toJson());
    });
  }

  /**
   * Sets a closed poll's live tally to its final results, for the pushes still under way, and to expire soon. The
   * close is committed already, and its results are read from the poll row: a tally left behind (LiveState
   * unreachable) is logged, not a failure, and expires by its TTL.
   */
  private Future<Poll> closeTally(Poll poll) {
    return tallies.close(poll).map(poll).recover(err -> {
      log.warn("Poll {} closed but its live tally was not set to the final results", poll.id(), err);
      return Future.succeededFuture(poll);
    });
  }

  /**
   * Keeps every live poll's tally from expiring, whichever node counted into it (each node does, which is
   * harmless); a round missed while the database or LiveState is unreachable is made up by the next, well within
   * the TTL.
   */
  private void keepLiveTalliesAlive() {
    polls.liveIds()
        .compose(ids -> Future.all(ids.stream().map(tallies::keepAlive).toList()))
        .onFailure(err -> log.warn("Could not keep the tallies of live polls from expiring", err));
  }

  /**
   * Tells the poll's audience what changed, each attendee in its language, with the results when they may see
   * them. The change is committed already: a push that fails is logged, and the next change or results push
   * brings clients up to date.
   */
  private Future<Void> announce(Poll poll) {
    Future<JsonObject> results = poll.resultsVisible() && poll.status() != Status.DRAFT ? resultsOf(poll)
        : Future.succeededFuture();
    return results
        .compose(visible -> languages.translated(poll.eventId(), poll.definition().languages(),
            language -> new JsonObject().put("poll", poll.inLanguage(language)).put("results", visible)))
        .compose(data -> gateway.publish(poll.audience(), "poll", data))
        .<Void>mapEmpty()
        .recover(err -> {
          log.warn("Poll {} changed to {} but could not be pushed to {}", poll.id(), poll.status().apiName(),
              poll.audience().name(), err);
          return Future.succeededFuture();
        });
  }

  private Future<JsonObject> results(ResultsQuery request) {
    return polls.get(request.eventId(), request.pollId()).compose(poll -> {
      Scopes.requireScope(request.onlySession(), poll.definition().sessionId());
      return resultsOf(poll);
    });
  }

  /** Final results once closed (counted from the ballots), else the live tally. */
  private Future<JsonObject> resultsOf(Poll poll) {
    return poll.finalResults() != null ? Future.succeededFuture(poll.finalResults()) : tallies.results(poll);
  }

  private Future<Exported> export(Export request) {
    return polls.get(request.eventId(), request.pollId()).map(poll -> {
      Scopes.requireScope(request.onlySession(), poll.definition().sessionId());
      if (poll.status() != Status.CLOSED || poll.finalResults() == null) {
        throw new ProblemException(ProblemType.POLL_NOT_CLOSED, "poll " + poll.id() + " is "
            + poll.status().apiName() + "; its results are exported once it is closed");
      }
      return request.csv() ? new Exported("text/csv; charset=utf-8", Results.csv(poll, poll.finalResults()))
          : new Exported("application/json", poll.finalResults().encodePrettily());
    });
  }

  private Future<JsonObject> vote(Vote request) {
    UUID voteId = Scopes.clientId(request.voteId(), "voteId", "ballot");
    return poll(request.eventId(), request.pollId()).compose(poll -> {
      JsonObject answer = answers.check(poll.definition(), request.answer());
      JsonObject op = new JsonObject().put("event_id", request.eventId()).put("poll_id", poll.id())
          .put("registration_id", request.registrationId().toString()).put("vote_id", voteId.toString())
          .put("answer", answer);
      return writers.submit(request.eventId(), op).compose(result -> counted(poll, result))
          .map(result -> new JsonObject().put("pollId", poll.id()).put("voteId", voteId.toString())
              .put("outcome", result.getString("outcome")).put("answer", result.getJsonObject("answer")));
    });
  }

  /**
   * A durable ballot's outcome: a new or changed ballot is added to the live tally (only those: a replay or a
   * refusal changes nothing) before it is answered; a refusal becomes its problem.
   */
  private Future<JsonObject> counted(Poll poll, JsonObject result) {
    String outcome = result.getString("outcome");
    return switch (outcome) {
      case "cast", "changed" -> {
        ballots.increment();
        yield tallies.record(poll, result.getJsonObject("answer"), result.getJsonObject("previous"))
            .recover(err -> {
              // the ballot is durable; the tally is set again from the ballots when the poll closes
              log.warn("Ballot of poll {} committed but not counted live", poll.id(), err);
              return Future.succeededFuture();
            })
            .map(v -> {
              unpushed.put(poll.id(), poll.eventId());
              return result;
            });
      }
      case "replayed" -> Future.succeededFuture(result);
      case "poll-not-found" -> Future.failedFuture(PollRepository.notFound(poll.id()));
      case "poll-not-live" -> Future.failedFuture(new ProblemException(ProblemType.POLL_NOT_LIVE,
          "poll " + poll.id() + " is not taking ballots"));
      case "already-voted" -> Future.failedFuture(new ProblemException(ProblemType.ALREADY_VOTED,
          "you already voted in poll " + poll.id() + " and it does not allow changing a vote"));
      case "registration-inactive" -> Future.failedFuture(new ProblemException(ProblemType.REGISTRATION_INACTIVE,
          "this registration was cancelled or erased"));
      default -> Future.failedFuture(new IllegalStateException("unexpected ballot outcome " + outcome));
    };
  }

  /**
   * A poll as ballots and pushes need it, from a short-lived cache: its definition never changes once launched,
   * and whether it takes a ballot is decided by the database.
   */
  private Future<Poll> poll(long eventId, long pollId) {
    Cached cached = cache.get(pollId);
    if (cached != null && cached.poll().eventId() == eventId && System.nanoTime() - cached.loadedAt() < CACHE_NANOS) {
      return Future.succeededFuture(cached.poll());
    }
    return polls.get(eventId, pollId).map(poll -> {
      if (poll.status() != Status.DRAFT) {
        cache.put(pollId, new Cached(poll, System.nanoTime()));
      }
      return poll;
    });
  }

  /** Each tick, pushes the results of every poll that got ballots since its last push. */
  private void pushUnpushedResults() {
    List.copyOf(unpushed.entrySet()).forEach(poll -> pushResults(poll.getValue(), poll.getKey()));
    long now = System.nanoTime();
    // the cache holds the polls in use, not every poll ever read
    cache.values().removeIf(cached -> now - cached.loadedAt() >= CACHE_NANOS);
  }

  /**
   * One node per interval wins the poll's push claim and pushes the tally every node counted into, to the
   * event's results topic (those who run polls) and, when results are visible, to the poll's audience; a node
   * that loses keeps the poll marked and tries at its next tick, so its last ballots are pushed too.
   */
  private void pushResults(long eventId, long pollId) {
    live.setIfAbsent("poll:" + pollId + ":pushed", nodeId, PUSH_INTERVAL)
        .compose(won -> {
          if (!won) {
            return Future.succeededFuture();
          }
          unpushed.remove(pollId);
          // a closed poll's final results: its tally goes soon after the close
          return poll(eventId, pollId).compose(poll -> resultsOf(poll).compose(results -> {
            Future<Long> toRunners = gateway.publish(Topic.results(eventId), "poll-results", results);
            return poll.resultsVisible()
                ? toRunners.compose(seq -> gateway.publish(poll.audience(), "poll-results", results)) : toRunners;
          }));
        })
        .onFailure(err -> log.warn("Results of poll {} not pushed", pollId, err));
  }
}
