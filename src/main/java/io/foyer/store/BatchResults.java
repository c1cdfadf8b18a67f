package io.foyer.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * The results of a batch statement that answers each row with a JSON {@code result} carrying the row's
 * {@code index} in the batch (the set-based functions return them in no particular order).
 */
public final class BatchResults {

  private BatchResults() {}

  /** The results in the order the rows were submitted. */
  public static List<JsonObject> inSubmissionOrder(RowSet<Row> rows, int size) {
    JsonObject[] results = new JsonObject[size];
    for (Row row : rows) {
      JsonObject result = (JsonObject) row.getValue("result");
      results[result.getInteger("index")] = result;
    }
    return List.of(results);
  }

  /**
   * Calls a set-based function with a batch's rows as one JSON array, each row given its index (the rows must be
   * the caller's own, made for this batch), and returns its results in submission order.
   */
  public static Future<List<JsonObject>> callWithRows(SqlConnection connection, String sql, List<JsonObject> rows) {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < rows.size(); i++) {
      batch.add(rows.get(i).put("idx", i));
    }
    return connection.preparedQuery(sql).execute(Tuple.of(batch)).map(result -> inSubmissionOrder(result, rows.size()));
  }
}
