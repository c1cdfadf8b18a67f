package io.foyer.interactions;

import static io.foyer.http.CsvCells.cell;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * A poll's results, the same shape live (from the LiveState tally) and final (from the ballots): {pollId, kind,
 * status, ballots, counts}, counts keyed by option id (ranking: Borda points), scale value or word; a rating adds
 * its average; a final open-text result adds the texts.
 */
final class Results {

  private Results() {}

  static JsonObject of(Poll poll, Map<String, Long> tally, long ballots) {
    Map<String, Long> counts = new LinkedHashMap<>();
    switch (poll.kind()) {
      case SINGLE_CHOICE, MULTIPLE_CHOICE, RANKING -> poll.optionIds()
          .forEach(id -> counts.put(id, tally.getOrDefault(id, 0L)));
      case RATING -> {
        JsonObject scale = poll.settings().getJsonObject("scale");
        for (int value = scale.getInteger("min"); value <= scale.getInteger("max"); value++) {
          counts.put(Integer.toString(value), tally.getOrDefault(Integer.toString(value), 0L));
        }
      }
      case WORD_CLOUD -> tally.entrySet().stream().filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .forEach(e -> counts.put(e.getKey(), e.getValue()));
      case OPEN_TEXT -> { }
    }
    JsonObject results = new JsonObject().put("pollId", poll.id()).put("kind", poll.kind().apiName())
        .put("status", poll.status().apiName()).put("ballots", ballots)
        .put("counts", new JsonObject(new LinkedHashMap<>(counts)));
    if (poll.kind() == PollKind.RATING) {
      long sum = counts.entrySet().stream().mapToLong(e -> Long.parseLong(e.getKey()) * e.getValue()).sum();
      long rated = counts.values().stream().mapToLong(Long::longValue).sum();
      results.put("average", rated == 0 ? null : (double) sum / rated);
    }
    return results;
  }

  /** The results counted from the stored ballots: the source of truth, written to the poll when it closes. */
  static JsonObject fromBallots(Poll poll, List<JsonObject> answers) {
    Map<String, Long> tally = new LinkedHashMap<>();
    answers.forEach(answer -> Answers.tally(poll, answer).forEach((field, n) -> tally.merge(field, n, Long::sum)));
    JsonObject results = of(poll, tally, answers.size());
    if (poll.kind() == PollKind.OPEN_TEXT) {
      results.put("texts", new JsonArray(answers.stream().map(answer -> answer.getString("text")).sorted().toList()));
    }
    return results;
  }

  /** Final results as CSV: one row per option, value, word or text; cells attendees typed are defused. */
  static String csv(Poll poll, JsonObject results) {
    StringWriter out = new StringWriter();
    try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180)) {
      switch (poll.kind()) {
        case OPEN_TEXT -> {
          csv.printRecord("text");
          for (Object text : results.getJsonArray("texts")) {
            csv.printRecord(cell((String) text));
          }
        }
        case WORD_CLOUD -> {
          csv.printRecord("word", "count");
          for (Map.Entry<String, Object> word : results.getJsonObject("counts")) {
            csv.printRecord(cell(word.getKey()), word.getValue());
          }
        }
        default -> {
          csv.printRecord("answer", "label", poll.kind() == PollKind.RANKING ? "points" : "count");
          Map<String, String> labels = labels(poll);
          for (Map.Entry<String, Object> count : results.getJsonObject("counts")) {
            csv.printRecord(count.getKey(), cell(labels.get(count.getKey())), count.getValue());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Option texts by id, or a scale's labels by value, in the event's default language. */
  private static Map<String, String> labels(Poll poll) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (poll.kind() == PollKind.RATING) {
      poll.settings().getJsonObject("scale").getJsonObject("labels")
          .forEach(label -> labels.put(label.getKey(), (String) label.getValue()));
    } else {
      poll.definition().options().stream().map(JsonObject.class::cast)
          .forEach(option -> labels.put(option.getString("id"), option.getString("text")));
    }
    return labels;
  }
}
