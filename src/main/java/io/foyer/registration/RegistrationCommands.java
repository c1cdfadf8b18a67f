package io.foyer.registration;

import io.foyer.config.FoyerConfig.WriterConfig;
import io.foyer.store.BatchingWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
 * in one transaction, and a caller hears back only once its command's transaction committed.
 */
public final class RegistrationCommands {

  private static final String APPLY = "SELECT foyer_registration_commands($1::jsonb) AS result";

  private final BatchingWriter<JsonObject, JsonObject> writer;

  public RegistrationCommands(Vertx vertx, Pool pool, WriterConfig config) {
    this.writer = new BatchingWriter<>(vertx, pool, config, "registrations", RegistrationCommands::apply);
  }

  /** Result: {outcome, statusCode, registration} (see the SQL functions for the outcomes). */
  public Future<JsonObject> register(RegistrationRequest request) {
    return writer.submit(request.toCommand());
  }

  /** Cancels a registration; actor and remoteAddress (an organizer's) are audited, or null for the attendee. */
  public Future<JsonObject> cancel(long eventId, java.util.UUID registrationId, String actor, String remoteAddress) {
    JsonObject command = new JsonObject().put("command", "cancel").put("eventId", eventId)
        .put("registrationId", registrationId.toString());
    if (actor != null) {
      command.put("actor", actor).put("remoteAddress", remoteAddress);
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
    return connection.preparedQuery(APPLY).execute(Tuple.of(batch)).map(rows -> {
      JsonObject[] results = new JsonObject[commands.size()];
      for (Row row : rows) {
        JsonObject result = (JsonObject) row.getValue("result");
        results[result.getInteger("index")] = result;
      }
      return List.of(results);
    });
  }
}
