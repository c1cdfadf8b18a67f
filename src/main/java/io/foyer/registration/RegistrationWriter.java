package io.foyer.registration;

import io.foyer.audit.Actor;
import io.foyer.bus.Bus;
import io.foyer.config.FoyerConfig.WriterConfig;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.registration.RegistrationMessages.Admission;
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
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's registration writer: registrations and cancellations from every registration verticle instance,
 * group-committed. Each batch is one call of foyer_registration_commands (its own transaction), and a caller
 * hears back, on its own context, only once its command's batch committed. A verticle of its own so that the
 * batches run on one context whatever the number of registration verticles, and so that undeploying it writes
 * everything it accepted. While it refuses for overload it says so on {@link RegistrationMessages#ADMISSION},
 * so that the HTTP verticles can refuse new registrations without sending them here.
 */
public final class RegistrationWriter extends VerticleBase {

  /**
   * While the writer refuses, how often it tells the HTTP edges again; each notice lets them refuse on their
   * own for twice this, so that a refusal costs them no hop to a registration verticle and back.
   */
  private static final long EDGE_NOTICE_MILLIS = 20;

  private final RegionalStores stores;
  private final WriterConfig config;
  private final MeterRegistry metrics;
  /** One per region's database: a batch commits in one database. */
  private volatile RegionalWriters<JsonObject, JsonObject> writers;
  private final AtomicBoolean noticing = new AtomicBoolean();
  /** Registrations this node committed, new or reactivated (a replay or an existing one is not counted). */
  private final Counter registered;

  public RegistrationWriter(RegionalStores stores, WriterConfig config, MeterRegistry metrics) {
    this.stores = stores;
    this.config = config;
    this.metrics = metrics;
    this.registered = Counter.builder("foyer.registrations")
        .description("registrations this node committed (new or reactivated)").register(metrics);
  }

  @Override
  public Future<?> start() {
    // one call of one function per batch: atomic on its own, and the seat rows it locks are released as soon as
    // PostgreSQL has run it (no BEGIN and COMMIT round trips while they are held)
    writers = new RegionalWriters<JsonObject, JsonObject>(stores, "registrations",
        (pool, name) -> new BatchingWriter<JsonObject, JsonObject>(context, pool, config, name,
            Atomicity.ONE_STATEMENT, RegistrationWriter::apply).withMetrics(metrics));
    return Future.succeededFuture();
  }

  /** Writes every registration already accepted before the node lets go of the databases. */
  @Override
  public Future<?> stop() {
    return writers.close();
  }

  /** Result: {outcome, statusCode, registration} (see the SQL functions for the outcomes). */
  Future<JsonObject> register(RegistrationRequest request) {
    JsonObject command = request.toCommand();
    return writers.of(command.getLong("eventId")).compose(writer -> submit(writer, command)).onSuccess(answer -> {
      String outcome = answer.getString("outcome");
      if ("created".equals(outcome) || "reactivated".equals(outcome)) {
        registered.increment();
      }
    });
  }

  private Future<JsonObject> submit(BatchingWriter<JsonObject, JsonObject> writer, JsonObject command) {
    Future<JsonObject> result = writer.submit(command);
    if (result.failed() && result.cause() instanceof ProblemException problem
        && problem.type() == ProblemType.OVERLOADED && noticing.compareAndSet(false, true)) {
      context.runOnContext(v -> noticeEdges());
    }
    return result;
  }

  /**
   * Publishes the admission every EDGE_NOTICE_MILLIS while a writer refuses, then once that all admit. The edges
   * hold one admission for the node: while one region's writer refuses, they refuse registrations of every region
   * for these few milliseconds: a short refusal too many, never a queue past its bound.
   */
  private void noticeEdges() {
    ProblemException refusal = writers.refusal();
    if (refusal != null) {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * EDGE_NOTICE_MILLIS);
      Bus.publish(vertx, RegistrationMessages.ADMISSION, new Admission(until, refusal.retryAfter()));
      vertx.setTimer(EDGE_NOTICE_MILLIS, id -> noticeEdges());
    } else {
      Bus.publish(vertx, RegistrationMessages.ADMISSION, Admission.OPEN);
      noticing.set(false);
    }
  }

  /** Cancels a registration; an organizer's cancellation (actor given) is audited, an attendee's (null) not. */
  Future<JsonObject> cancel(long eventId, java.util.UUID registrationId, Actor actor) {
    JsonObject command = new JsonObject().put("command", "cancel").put("eventId", eventId)
        .put("registrationId", registrationId.toString());
    if (actor != null) {
      command.put("actor", actor.name()).put("remoteAddress", actor.remoteAddress());
    }
    return writers.submit(eventId, command);
  }

  /**
   * Commands run in event order so that concurrent batches lock event seat rows in the same order (no
   * deadlock); within an event, arrival order is kept, so the first to ask gets the seat.
   */
  private static Future<List<JsonObject>> apply(SqlConnection connection, List<JsonObject> commands) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingLong(i -> commands.get(i).getLong("eventId")));
    JsonArray batch = new JsonArray();
    for (int i : order) {
      // each command is the writer's own (made for this submission), so it carries its index itself
      batch.add(commands.get(i).put("index", i));
    }
    return connection.preparedQuery(RegistrationSql.APPLY_COMMANDS).execute(Tuple.of(batch))
        .map(rows -> BatchResults.inSubmissionOrder(rows, commands.size()));
  }
}
