package io.foyer.registration;

import static io.foyer.http.CsvCells.cell;

import io.foyer.events.Event;
import io.foyer.events.RegistrationField;
import io.foyer.http.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** An event's registrations as CSV: fixed columns, then one column per custom field, in form order. */
final class RegistrationCsv {

  private static final List<String> FIXED = List.of("id", "status", "waitlist_position", "name", "email",
      "language", "registered_at", "cancelled_at", "erased_at");

  private RegistrationCsv() {}

  static String render(Event event, Iterable<Row> rows) {
    List<RegistrationField> fields = event.definition().fields();
    List<String> header = new ArrayList<>(FIXED);
    fields.forEach(field -> header.add(field.id()));
    StringWriter out = new StringWriter();
    try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new))
        .get())) {
      for (Row row : rows) {
        List<String> record = new ArrayList<>();
        record.add(row.getUUID("id").toString());
        record.add(row.getString("status"));
        record.add(row.getValue("position") == null ? "" : row.getValue("position").toString());
        record.add(cell(row.getString("name")));
        record.add(cell(row.getString("email")));
        record.add(row.getString("language"));
        record.add(Times.format(row.getOffsetDateTime("created_at")));
        record.add(nullToEmpty(Times.format(row.getOffsetDateTime("cancelled_at"))));
        record.add(nullToEmpty(Times.format(row.getOffsetDateTime("erased_at"))));
        JsonObject answers = row.getJsonObject("answers");
        for (RegistrationField field : fields) {
          record.add(cell(answers == null ? null : answer(answers.getValue(field.id()))));
        }
        csv.printRecord(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String answer(Object value) {
    if (value instanceof JsonArray choices) {
      return choices.stream().map(String::valueOf).collect(Collectors.joining("; "));
    }
    return value == null ? null : value.toString();
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
