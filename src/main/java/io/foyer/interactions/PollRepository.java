package io.foyer.interactions;

import io.foyer.audit.Actor;
import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.interactions.Poll.Status;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/** Polls in PostgreSQL: every organizer change in one transaction with its audit entry. */
final class PollRepository {

  private final RegionalStores stores;

  PollRepository(RegionalStores stores) {
    this.stores = stores;
  }

  /** Runs work on the database of the event, where its polls and ballots are. */
  private <T> Future<T> in(long eventId, Function<Pool, Future<T>> work) {
    return stores.ofEvent(eventId).compose(work);
  }

  Future<Poll> create(long eventId, PollDefinition definition, Actor actor) {
    // a poll's id names it outside its event too (LiveState keys), so it is unique across regions
    return stores.newId("polls").compose(id -> in(eventId, pool -> pool.withTransaction(connection -> connection
        .preparedQuery(InteractionSql.INSERT_POLL).execute(definitionTuple(Tuple.of(eventId), definition).addLong(id))
        .map(rows -> Poll.from(rows.iterator().next()))
        .compose(poll -> audit(connection, actor, "poll.created", poll)))));
  }

  Future<Poll> get(long eventId, long pollId) {
    return in(eventId, pool -> pool.preparedQuery(InteractionSql.POLL)
        .execute(Tuple.of(pollId, eventId)).map(rows -> {
      if (rows.size() == 0) {
        throw notFound(pollId);
      }
      return Poll.from(rows.iterator().next());
    }));
  }

  Future<List<Poll>> list(long eventId) {
    return in(eventId, pool -> pool.preparedQuery(InteractionSql.POLLS_OF_EVENT)
        .execute(Tuple.of(eventId)).map(rows -> {
      List<Poll> polls = new ArrayList<>();
      rows.forEach(row -> polls.add(Poll.from(row)));
      return polls;
    }));
  }

  /** Replaces a draft's definition; 409 poll-not-draft once it was launched. */
  Future<Poll> updateDraft(long eventId, long pollId, PollDefinition definition, Actor actor) {
    return in(eventId, pool -> pool.withTransaction(connection -> connection
        .preparedQuery(InteractionSql.UPDATE_DRAFT)
        .execute(definitionTuple(Tuple.of(pollId, eventId), definition))
        .compose(rows -> changed(connection, eventId, pollId, rows, Status.DRAFT))
        .compose(poll -> audit(connection, actor, "poll.updated", poll))));
  }

  /**
   * Moves a poll from one status to another; 409 (with the type of the status it should have been in) when it
   * is not there. Closing also writes the final results, counted from the ballots under the poll's row lock
   * (which every batch of ballots takes too), so no ballot slips in between.
   */
  Future<Poll> transition(long eventId, long pollId, Status from, Status to, Actor actor) {
    return transition(eventId, pollId, from, to, actor, null);
  }

  /**
   * As {@link #transition(long, long, Status, Status, Actor)}; whileLocked, when given, is handed the changed poll
   * and its results counted from the ballots, under the poll's row lock and before the change commits, so that
   * no ballot is cast in between; its failure rolls the change back.
   */
  Future<Poll> transition(long eventId, long pollId, Status from, Status to, Actor actor,
      BiFunction<Poll, JsonObject, Future<Void>> whileLocked) {
    return in(eventId, pool -> pool.withTransaction(connection -> connection
        .preparedQuery(InteractionSql.TRANSITION)
        .execute(Tuple.of(pollId, eventId, from.apiName(), to.apiName()))
        .compose(rows -> changed(connection, eventId, pollId, rows, from))
        .compose(poll -> to == Status.CLOSED ? writeFinalResults(connection, poll) : Future.succeededFuture(poll))
        .compose(poll -> whileLocked == null ? Future.succeededFuture(poll) : ballotAnswers(connection, poll.id())
            .compose(answers -> whileLocked.apply(poll, Results.fromBallots(poll, answers))).map(poll))
        .compose(poll -> audit(connection, actor, "poll." + (to == Status.LIVE && from == Status.CLOSED ? "reopened"
            : to == Status.LIVE ? "launched" : "closed"), poll))));
  }

  Future<Poll> setResultsVisible(long eventId, long pollId, boolean visible, Actor actor) {
    return in(eventId, pool -> pool.withTransaction(connection -> connection
        .preparedQuery(InteractionSql.SET_RESULTS_VISIBLE)
        .execute(Tuple.of(pollId, eventId, visible))
        .map(rows -> {
          if (rows.size() == 0) {
            throw notFound(pollId);
          }
          return Poll.from(rows.iterator().next());
        })
        .compose(poll -> audit(connection, actor, visible ? "poll.results-shown" : "poll.results-hidden", poll))));
  }

  private static Future<Poll> writeFinalResults(SqlClient connection, Poll poll) {
    return ballotAnswers(connection, poll.id())
        .compose(answers -> connection.preparedQuery(InteractionSql.SET_FINAL_RESULTS)
            .execute(Tuple.of(poll.id(), Results.fromBallots(poll, answers))))
        .map(rows -> Poll.from(rows.iterator().next()));
  }

  /** The ids of every live poll, of every event, in every region. */
  Future<List<Long>> liveIds() {
    return stores.fromEvery(pool -> pool.preparedQuery(InteractionSql.LIVE_POLL_IDS).execute().map(rows -> {
      List<Long> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getLong("id")));
      return ids;
    }));
  }

  private static Future<List<JsonObject>> ballotAnswers(SqlClient client, long pollId) {
    return client.preparedQuery(InteractionSql.BALLOT_ANSWERS).execute(Tuple.of(pollId)).map(rows -> {
      List<JsonObject> answers = new ArrayList<>();
      rows.forEach(row -> answers.add(row.getJsonObject("answer")));
      return answers;
    });
  }

  /** The changed poll, or why nothing changed: no such poll (404), or not in the expected status (409). */
  private static Future<Poll> changed(SqlClient connection, long eventId, long pollId, RowSet<Row> rows,
      Status expected) {
    if (rows.size() > 0) {
      return Future.succeededFuture(Poll.from(rows.iterator().next()));
    }
    return connection.preparedQuery(InteractionSql.POLL).execute(Tuple.of(pollId, eventId)).map(found -> {
      if (found.size() == 0) {
        throw notFound(pollId);
      }
      Status status = Poll.from(found.iterator().next()).status();
      throw switch (expected) {
        case DRAFT -> new ProblemException(ProblemType.POLL_NOT_DRAFT, "poll " + pollId + " is " + status.apiName()
            + "; only a draft can be changed or launched");
        case LIVE -> new ProblemException(ProblemType.POLL_NOT_LIVE, "poll " + pollId + " is " + status.apiName()
            + "; only a live poll can be closed");
        case CLOSED -> new ProblemException(ProblemType.POLL_NOT_CLOSED, "poll " + pollId + " is "
            + status.apiName() + "; only a closed poll can be reopened");
      };
    });
  }

  private static Future<Poll> audit(SqlClient connection, Actor actor, String action, Poll poll) {
    return AuditLog.record(connection, new AuditEntry(actor.name(), action, poll.eventId(), "poll:" + poll.id(),
        new JsonObject().put("status", poll.status().apiName()), actor.remoteAddress())).map(poll);
  }

  private static Tuple definitionTuple(Tuple key, PollDefinition definition) {
    return key.addLong(definition.sessionId()).addString(definition.kind().apiName())
        .addValue(new JsonObject().put("text", definition.question()).put("translations", definition.translations()))
        .addValue(definition.options()).addValue(definition.settings()).addBoolean(definition.resultsVisible());
  }

  static ProblemException notFound(long pollId) {
    return new ProblemException(ProblemType.NOT_FOUND, "no poll " + pollId + " in this event");
  }
}
