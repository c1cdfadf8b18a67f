package io.foyer.interactions;

import io.foyer.http.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The answers each kind of question takes: checked (and normalised) before a ballot is queued, so that bad input
 * never reaches the database, and what each answer adds to the poll's tally.
 *
 * <table>
 *   <tr><td>single_choice</td><td>{"option": id}</td><td>+1 for the option</td></tr>
 *   <tr><td>multiple_choice</td><td>{"options": [id, ...]} distinct, 1..maxPicks</td><td>+1 per option</td></tr>
 *   <tr><td>rating</td><td>{"value": n} a whole number of the scale</td><td>+1 for the value</td></tr>
 *   <tr><td>ranking</td><td>{"order": [id, ...]} every option once</td><td>Borda: n-1 for the first of n ... 0</td></tr>
 *   <tr><td>word_cloud</td><td>{"text": words} normalised, not blocked</td><td>+1 for the normalised text</td></tr>
 *   <tr><td>open_text</td><td>{"text": text} trimmed, 1..maxLength</td><td>nothing (the texts are in the export)</td></tr>
 * </table>
 */
final class Answers {

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final Set<String> blocklist;

  /** @param blocklist words refused in word clouds, as configured (normalised here) */
  Answers(Set<String> blocklist) {
    Set<String> normalised = new HashSet<>();
    blocklist.forEach(word -> normalised.add(normalise(word)));
    this.blocklist = Set.copyOf(normalised);
  }

  /** Word-cloud text as it is counted: trimmed, inner whitespace collapsed to one space, case-folded. */
  static String normalise(String text) {
    return WHITESPACE.matcher(text.strip()).replaceAll(" ").toLowerCase(Locale.ROOT);
  }

  /**
   * The answer to a question (a poll's, or a quiz question's) as it is stored; a wrong one fails with 422
   * validation-failed naming what is wrong.
   */
  JsonObject check(PollDefinition poll, Object given) {
    Validation v = new Validation();
    if (!(given instanceof JsonObject answer)) {
      v.fail("answer", "is required: an object, for example {\"option\": \"a\"}");
      v.throwIfInvalid();
      return null;
    }
    JsonObject checked = switch (poll.kind()) {
      case SINGLE_CHOICE -> single(v, poll, answer);
      case MULTIPLE_CHOICE -> multiple(v, poll, answer);
      case RATING -> rating(v, poll, answer);
      case RANKING -> ranking(v, poll, answer);
      case WORD_CLOUD -> words(v, poll, answer);
      case OPEN_TEXT -> openText(v, poll, answer);
    };
    v.throwIfInvalid();
    return checked;
  }

  /** What a stored answer adds to each field of the tally. */
  static Map<String, Long> tally(Poll poll, JsonObject answer) {
    Map<String, Long> counts = new HashMap<>();
    switch (poll.kind()) {
      case SINGLE_CHOICE -> counts.put(answer.getString("option"), 1L);
      case MULTIPLE_CHOICE -> answer.getJsonArray("options").forEach(id -> counts.put((String) id, 1L));
      case RATING -> counts.put(Integer.toString(answer.getInteger("value")), 1L);
      case RANKING -> {
        JsonArray order = answer.getJsonArray("order");
        for (int i = 0; i < order.size(); i++) {
          counts.put(order.getString(i), (long) (order.size() - 1 - i));
        }
      }
      case WORD_CLOUD -> counts.put(answer.getString("text"), 1L);
      case OPEN_TEXT -> { }
    }
    return counts;
  }

  private static JsonObject single(Validation v, PollDefinition poll, JsonObject answer) {
    only(v, answer, "option");
    Object option = answer.getValue("option");
    if (!(option instanceof String id) || !poll.optionIds().contains(id)) {
      v.fail("answer.option", "must be the id of one of the options " + poll.optionIds());
      return null;
    }
    return new JsonObject().put("option", id);
  }

  private static JsonObject multiple(Validation v, PollDefinition poll, JsonObject answer) {
    only(v, answer, "options");
    int maxPicks = poll.settings().getInteger("maxPicks");
    Set<String> picks = distinctOptions(v, poll, answer, "options");
    if (picks == null) {
      return null;
    }
    if (picks.isEmpty() || picks.size() > maxPicks) {
      v.fail("answer.options", "must pick 1 to " + maxPicks + " options");
      return null;
    }
    return new JsonObject().put("options", new JsonArray(List.copyOf(picks)));
  }

  private static JsonObject rating(Validation v, PollDefinition poll, JsonObject answer) {
    only(v, answer, "value");
    JsonObject scale = poll.settings().getJsonObject("scale");
    int min = scale.getInteger("min");
    int max = scale.getInteger("max");
    Object value = answer.getValue("value");
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min
        || n.longValue() > max) {
      v.fail("answer.value", "must be a whole number from " + min + " to " + max);
      return null;
    }
    return new JsonObject().put("value", n.intValue());
  }

  private static JsonObject ranking(Validation v, PollDefinition poll, JsonObject answer) {
    only(v, answer, "order");
    Set<String> order = distinctOptions(v, poll, answer, "order");
    if (order == null) {
      return null;
    }
    if (order.size() != poll.optionIds().size()) {
      v.fail("answer.order", "must rank every option exactly once: " + poll.optionIds());
      return null;
    }
    return new JsonObject().put("order", new JsonArray(List.copyOf(order)));
  }

  private JsonObject words(Validation v, PollDefinition poll, JsonObject answer) {
    String text = text(v, poll, answer);
    if (text == null) {
      return null;
    }
    String words = normalise(text);
    for (String word : words.split(" ")) {
      if (blocklist.contains(word)) {
        v.fail("answer.text", "contains a word that is not allowed");
        return null;
      }
    }
    if (blocklist.contains(words)) {
      v.fail("answer.text", "is not allowed");
      return null;
    }
    return new JsonObject().put("text", words);
  }

  private static JsonObject openText(Validation v, PollDefinition poll, JsonObject answer) {
    String text = text(v, poll, answer);
    return text == null ? null : new JsonObject().put("text", text);
  }

  /** Trimmed text of 1..maxLength characters, without control characters. */
  private static String text(Validation v, PollDefinition poll, JsonObject answer) {
    only(v, answer, "text");
    int maxLength = poll.settings().getInteger("maxLength");
    return PollDefinition.textAt(v, "answer.text", answer.getValue("text"), maxLength);
  }

  /** The option ids of a list member, in order, each once; null (and a failure) otherwise. */
  private static Set<String> distinctOptions(Validation v, PollDefinition poll, JsonObject answer, String member) {
    String field = "answer." + member;
    if (!(answer.getValue(member) instanceof JsonArray ids)) {
      v.fail(field, "must be a list of option ids");
      return null;
    }
    Set<String> distinct = new LinkedHashSet<>();
    for (Object id : ids) {
      if (!(id instanceof String option) || !poll.optionIds().contains(option)) {
        v.fail(field, "must hold only ids of the options " + poll.optionIds());
        return null;
      }
      if (!distinct.add(option)) {
        v.fail(field, "names option '" + option + "' twice");
        return null;
      }
    }
    return distinct;
  }

  private static void only(Validation v, JsonObject answer, String member) {
    for (String key : answer.fieldNames()) {
      if (!key.equals(member)) {
        v.fail("answer." + key, "is not part of an answer to this question");
      }
    }
  }
}
