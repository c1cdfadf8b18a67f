package io.foyer.interactions;

import io.foyer.audit.Actor;
import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.interactions.InteractionMessages.QuizAction;
import io.foyer.interactions.Quiz.ClosedBy;
import io.foyer.interactions.Quiz.Status;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Quizzes in PostgreSQL. Each change of a quiz's state runs in one transaction that locks the quiz's row, decides
 * from the state it reads whether the change is allowed, and writes it with its audit entry.
 */
final class QuizRepository {

  /** An open question whose window ended; the node that opened it may have died. */
  record Overdue(long eventId, long quizId, int position) {}

  /** A player's standing after the last closed question, and its answer to the open one (or null). */
  record PlayerState(Standing standing, JsonObject currentAnswer) {}

  private final RegionalStores stores;

  QuizRepository(RegionalStores stores) {
    this.stores = stores;
  }

  /** Runs work on the database of the event, where its quizzes and answers are. */
  private <T> Future<T> in(long eventId, Function<Pool, Future<T>> work) {
    return stores.ofEvent(eventId).compose(work);
  }

  Future<Quiz> create(long eventId, QuizDefinition definition, Actor actor) {
    // a quiz's id names it outside its event too (LiveState keys), so it is unique across regions
    return stores.newId("quizzes").compose(id -> in(eventId, pool -> pool.withTransaction(connection -> connection
        .preparedQuery(InteractionSql.INSERT_QUIZ)
        .execute(Tuple.of(eventId, definition.sessionId(), definition.title(), definition.scoring().apiName(),
            definition.streakBonus(), id))
        .map(rows -> rows.iterator().next().getLong("id"))
        .compose(quizId -> connection.preparedQuery(InteractionSql.INSERT_QUIZ_QUESTION)
            .executeBatch(questionRows(quizId, definition)).map(quizId))
        .compose(quizId -> load(connection, InteractionSql.QUIZ, eventId, quizId))
        .compose(quiz -> audit(connection, actor, "quiz.created", quiz)))));
  }

  private static List<Tuple> questionRows(long quizId, QuizDefinition definition) {
    List<Tuple> rows = new ArrayList<>();
    for (int i = 0; i < definition.questions().size(); i++) {
      QuizQuestion question = definition.questions().get(i);
      PollDefinition poll = question.definition();
      JsonObject settings = poll.settings().copy();
      settings.remove("allowChange");
      rows.add(Tuple.of(quizId, i + 1, poll.kind().apiName(),
              new JsonObject().put("text", poll.question()).put("translations", poll.translations()),
              poll.options(), settings)
          .addValue(new JsonArray(question.correct())).addInteger(question.timeLimitMillis())
          .addInteger(question.points()));
    }
    return rows;
  }

  Future<Quiz> get(long eventId, long quizId) {
    return in(eventId, pool -> load(pool, InteractionSql.QUIZ, eventId, quizId));
  }

  Future<List<Quiz>> list(long eventId) {
    return in(eventId, pool -> pool.preparedQuery(InteractionSql.QUIZZES_OF_EVENT)
        .execute(Tuple.of(eventId)).map(rows -> {
      List<Quiz> quizzes = new ArrayList<>();
      rows.forEach(row -> quizzes.add(Quiz.from(row)));
      return quizzes;
    }));
  }

  private static Future<Quiz> load(SqlClient client, String sql, long eventId, long quizId) {
    return client.preparedQuery(sql).execute(Tuple.of(quizId, eventId)).map(rows -> {
      if (rows.size() == 0) {
        throw Quiz.notFound(quizId);
      }
      return Quiz.from(rows.iterator().next());
    });
  }

  /**
   * Does what those who run the quiz asked, at now by the node's clock (milliseconds, as the answers are
   * stamped): start it, open its next question, close the open one, or finish it; 409 with the reason when the
   * quiz is not in a state that allows it.
   */
  Future<Quiz> act(long eventId, long quizId, QuizAction action, Instant now, Actor actor) {
    return in(eventId, pool -> pool.withTransaction(connection -> load(connection, InteractionSql.QUIZ_FOR_UPDATE,
            eventId, quizId)
        .compose(quiz -> switch (action) {
          case START -> start(connection, quiz, now);
          case NEXT -> openNext(connection, quiz, now);
          case CLOSE -> close(connection, quiz, quiz.openPosition(), ClosedBy.PRESENTER, now);
          case FINISH -> finish(connection, quiz, now);
        })
        .compose(v -> load(connection, InteractionSql.QUIZ, eventId, quizId))
        .compose(quiz -> audit(connection, actor, "quiz." + action.apiName(), quiz))));
  }

  /**
   * Closes the question at position when its window has ended, unless it is closed already (by the presenter,
   * or by another node): completes with the quiz when this call closed it, else null.
   */
  Future<Quiz> closeAtDeadline(long eventId, long quizId, int position, Instant now) {
    return in(eventId, pool -> pool.withTransaction(connection -> load(connection, InteractionSql.QUIZ_FOR_UPDATE,
            eventId, quizId)
        .compose(quiz -> {
          if (quiz.currentPosition() != position || !quiz.timing(position).open()) {
            return Future.succeededFuture(null);
          }
          return close(connection, quiz, position, ClosedBy.DEADLINE, now)
              .compose(v -> load(connection, InteractionSql.QUIZ, eventId, quizId));
        })));
  }

  private static Future<Void> start(SqlClient connection, Quiz quiz, Instant now) {
    if (quiz.status() != Status.DRAFT) {
      throw new ProblemException(ProblemType.QUIZ_NOT_DRAFT, "quiz " + quiz.id() + " is " + quiz.status().apiName()
          + "; only a draft can be started");
    }
    return connection.preparedQuery(InteractionSql.START_QUIZ).execute(Tuple.of(quiz.id(), utc(now))).mapEmpty();
  }

  private static Future<Void> openNext(SqlClient connection, Quiz quiz, Instant now) {
    requireRunning(quiz);
    if (quiz.openPosition() != 0) {
      throw new ProblemException(ProblemType.QUESTION_OPEN, "question " + quiz.openPosition() + " of quiz "
          + quiz.id() + " is still open; close it first");
    }
    int next = quiz.currentPosition() + 1;
    if (next > quiz.questionCount()) {
      throw new ProblemException(ProblemType.NO_MORE_QUESTIONS, "quiz " + quiz.id() + " has no question after "
          + quiz.currentPosition() + "; finish it");
    }
    Instant opened = now.truncatedTo(ChronoUnit.MILLIS);
    Instant deadline = opened.plusMillis(quiz.question(next).timeLimitMillis());
    return connection.preparedQuery(InteractionSql.MOVE_TO_QUESTION).execute(Tuple.of(quiz.id(), next))
        .compose(v -> connection.preparedQuery(InteractionSql.OPEN_QUESTION).execute(Tuple.of(quiz.id(), next,
            utc(opened), utc(deadline), utc(deadline.plusMillis(Quiz.GRACE_MILLIS)))))
        .mapEmpty();
  }

  private static Future<Void> close(SqlClient connection, Quiz quiz, int position, ClosedBy by, Instant now) {
    requireRunning(quiz);
    if (position == 0) {
      throw new ProblemException(ProblemType.QUESTION_NOT_OPEN, "no question of quiz " + quiz.id()
          + " is open; open the next one");
    }
    return connection.preparedQuery(InteractionSql.CLOSE_QUESTION)
        .execute(Tuple.of(quiz.id(), position, utc(now.truncatedTo(ChronoUnit.MILLIS)), by.apiName())).mapEmpty();
  }

  private static Future<Void> finish(SqlClient connection, Quiz quiz, Instant now) {
    requireRunning(quiz);
    if (quiz.openPosition() != 0) {
      throw new ProblemException(ProblemType.QUESTION_OPEN, "question " + quiz.openPosition() + " of quiz "
          + quiz.id() + " is still open; close it first");
    }
    return connection.preparedQuery(InteractionSql.FINISH_QUIZ).execute(Tuple.of(quiz.id(), utc(now))).mapEmpty();
  }

  private static void requireRunning(Quiz quiz) {
    if (quiz.status() != Status.RUNNING) {
      throw new ProblemException(ProblemType.QUIZ_NOT_RUNNING, "quiz " + quiz.id() + " is "
          + quiz.status().apiName() + "; start it first");
    }
  }

  /** Open questions past their window by more than margin, by each region's database's clock. */
  Future<List<Overdue>> overdue(Duration margin) {
    return stores.fromEvery(pool -> pool.preparedQuery(InteractionSql.OVERDUE_QUESTIONS)
        .execute(Tuple.of(margin.toMillis())).map(rows -> {
          List<Overdue> overdue = new ArrayList<>();
          rows.forEach(row -> overdue.add(new Overdue(row.getLong("event_id"), row.getLong("quiz_id"),
              row.getInteger("position"))));
          return overdue;
        }));
  }

  /** Every player's standing after the question at position of the quiz closed. */
  Future<List<Standing>> standings(Quiz quiz, int position) {
    return in(quiz.eventId(), pool -> pool.preparedQuery(InteractionSql.STANDINGS)
        .execute(Tuple.of(quiz.id(), position))).map(rows -> {
      List<Standing> standings = new ArrayList<>();
      for (Row row : rows) {
        standings.add(Standing.from(row, row.getUUID("registration_id")));
      }
      return standings;
    });
  }

  /** A player's standing after the last closed question, and its answer to the open question, if any. */
  Future<PlayerState> player(Quiz quiz, UUID registrationId) {
    return in(quiz.eventId(), pool -> pool.preparedQuery(InteractionSql.STANDING_OF_PLAYER)
        .execute(Tuple.of(quiz.id(), registrationId, quiz.lastClosedPosition(), quiz.openPosition()))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new PlayerState(Standing.from(row, registrationId), (JsonObject) row.getValue("current_answer"));
        }));
  }

  private static Future<Quiz> audit(SqlClient connection, Actor actor, String action, Quiz quiz) {
    return AuditLog.record(connection, new AuditEntry(actor.name(), action, quiz.eventId(), "quiz:" + quiz.id(),
        new JsonObject().put("status", quiz.status().apiName()).put("position", quiz.currentPosition()),
        actor.remoteAddress())).map(quiz);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
