package io.foyer.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
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
}
