package io.foyer.registration;

import io.foyer.audit.Actor;
import io.foyer.config.FoyerConfig.WriterConfig;
import io.foyer.store.BatchingWriter;
import io.foyer.store.BatchingWriter.Atomicity;
import io.vertx.core.Future;
import io.vertx.core.Context;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Registrations and cancellations, group-committed: each batch is one call of foyer_registration_commands
 * (its own transaction), and a caller hears back only once its command's batch committed.
 */
final class RegistrationCommands {

  private final BatchingWriter<JsonObject, JsonObject> writer;

  /** @param context the context of the registration verticle, where the writer runs */
  public RegistrationCommands(Context context, Pool pool, WriterConfig config) {
    // one call of one function per batch: atomic on its own, and the seat rows it locks are released as soon as
    // PostgreSQL has run it (no BEGIN and COMMIT round trips while they are held)
    this.writer = new BatchingWriter<>(context, pool, config, "registrations", Atomicity.ONE_STATEMENT,
        RegistrationCommands::apply);
  }

  /** Result: {outcome, statusCode, registration} (see the SQL functions for the outcomes). */
  public Future<JsonObject> register(RegistrationRequest request) {
    return writer.submit(request.toCommand());
  }

  /** Cancels a registration; an organizer's cancellation (actor given) is audited, an attendee's (null) not. */
  public Future<JsonObject> cancel(long eventId, java.util.UUID registrationId, Actor actor) {
    JsonObject command = new JsonObject().put("command", "cancel").put("eventId", eventId)
        .put("registrationId", registrationId.toString());
    if (actor != null) {
      command.put("actor", actor.name()).put("remoteAddress", actor.remoteAddress());
    }
    return writer.submit(command);
  }

  public BatchingWriter<JsonObject, JsonObject> writer() {
    return writer;
  }

  public Future<Void> close() {
    return writer.close();
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
      batch.add(commands.get(i).copy().put("index", i));
    }
    return connection.preparedQuery(RegistrationSql.APPLY_COMMANDS).execute(Tuple.of(batch)).map(rows -> {
      JsonObject[] results = new JsonObject[commands.size()];
      for (Row row : rows) {
        JsonObject result = (JsonObject) row.getValue("result");
        results[result.getInteger("index")] = result;
      }
      return List.of(results);
    });
  }
}
