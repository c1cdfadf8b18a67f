package io.foyer.interactions;

import io.foyer.http.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an organizer defines of a poll: its kind, texts (with translations), options and settings, checked as
 * a whole. The API's shape (flat) is {@link #toJson()}; the database keeps question, options and settings apart.
 */
record PollDefinition(PollKind kind, Long sessionId, String question, JsonObject translations, JsonArray options,
    JsonObject settings, boolean resultsVisible) {

  static final int MAX_QUESTION = 500;
  static final int MAX_OPTION = 200;
  static final int MAX_OPTIONS = 20;
  static final int MAX_SCALE = 10;
  static final int DEFAULT_WORD_LENGTH = 40;
  static final int MAX_WORD_LENGTH = 100;
  static final int DEFAULT_TEXT_LENGTH = 500;
  static final int MAX_TEXT_LENGTH = 2000;

  private static final Pattern OPTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,40}");
  private static final List<String> MEMBERS = List.of("kind", "sessionId", "question", "translations", "options",
      "allowChange", "resultsVisible", "maxPicks", "scale", "maxLength");

  /** Checks a whole definition; every problem is reported at once (422 validation-failed). */
  static PollDefinition fromJson(JsonObject body) {
    Validation v = new Validation();
    v.onlyKnown(body, MEMBERS);
    PollKind kind = PollKind.of(body.getValue("kind") instanceof String name ? name : null);
    if (kind == null) {
      v.fail("kind", "must be one of " + PollKind.names());
    }
    // any session id: with regions, ids are large (allocated across the regions' databases)
    Long sessionId = v.wholeNumber(body, "sessionId", 1, Long.MAX_VALUE, "must be the id of a session of the event");
    String question = v.text(body, "question", true, MAX_QUESTION);
    JsonObject translations = translations(v, body.getValue("translations"), "translations", MAX_QUESTION);
    JsonArray options = kind == null ? new JsonArray() : options(v, body, kind);
    JsonObject settings = new JsonObject().put("allowChange", flag(v, body, "allowChange"));
    if (kind != null) {
      kindSettings(v, body, kind, options.size(), settings);
    }
    boolean resultsVisible = flag(v, body, "resultsVisible");
    v.throwIfInvalid();
    return new PollDefinition(kind, sessionId, question, translations, options, settings, resultsVisible);
  }

  /** The definition as the API shows it (and as a PATCH is merged into). */
  JsonObject toJson() {
    JsonObject json = new JsonObject().put("kind", kind.apiName()).put("sessionId", sessionId)
        .put("question", question).put("translations", translations).put("options", options)
        .put("resultsVisible", resultsVisible);
    settings.forEach(setting -> json.put(setting.getKey(), setting.getValue()));
    return json;
  }

  /** The languages any of the question's texts is translated into. */
  Set<String> languages() {
    Set<String> languages = new HashSet<>(translations.fieldNames());
    options.forEach(option -> languages.addAll(((JsonObject) option).getJsonObject("translations").fieldNames()));
    return languages;
  }

  /**
   * The question and its options in one language ({question, options: [{id, text}]}), each text falling back
   * to the text as written (the event's default language) where it has no translation.
   */
  JsonObject textsIn(String language) {
    JsonArray inLanguage = new JsonArray();
    options.forEach(o -> {
      JsonObject option = (JsonObject) o;
      inLanguage.add(new JsonObject().put("id", option.getString("id"))
          .put("text", translated(option.getString("text"), option.getJsonObject("translations"), language)));
    });
    return new JsonObject().put("question", translated(question, translations, language)).put("options", inLanguage);
  }

  private static String translated(String text, JsonObject translations, String language) {
    String translation = translations == null ? null : translations.getString(language);
    return translation != null ? translation : text;
  }

  /** The ids of the options, in order (none for kinds without options). */
  List<String> optionIds() {
    return options.stream().map(option -> ((JsonObject) option).getString("id")).toList();
  }

  boolean allowChange() {
    return settings.getBoolean("allowChange", false);
  }

  private static JsonArray options(Validation v, JsonObject body, PollKind kind) {
    Object value = body.getValue("options");
    if (!kind.hasOptions()) {
      if (value != null) {
        v.fail("options", "only choice and ranking questions have options");
      }
      return new JsonArray();
    }
    if (!(value instanceof JsonArray given) || given.size() < 2 || given.size() > MAX_OPTIONS) {
      v.fail("options", "must be a list of 2 to " + MAX_OPTIONS + " options");
      return new JsonArray();
    }
    JsonArray options = new JsonArray();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < given.size(); i++) {
      String field = "options[" + i + "]";
      if (!(given.getValue(i) instanceof JsonObject option)) {
        v.fail(field, "must be an object {id, text, translations}");
        continue;
      }
      Validation own = new Validation();
      own.onlyKnown(option, List.of("id", "text", "translations"));
      String id = option.getValue("id") instanceof String text ? text : null;
      if (id == null || !OPTION_ID.matcher(id).matches()) {
        v.fail(field + ".id", "must be 1 to 40 letters, digits, _ or -");
      } else if (!ids.add(id)) {
        v.fail(field + ".id", "is used by another option");
      }
      String text = textAt(v, field + ".text", option.getValue("text"), MAX_OPTION);
      JsonObject translations = translations(v, option.getValue("translations"), field + ".translations", MAX_OPTION);
      if (!own.ok()) {
        v.fail(field, "has unknown members; an option is {id, text, translations}");
      }
      options.add(new JsonObject().put("id", id).put("text", text).put("translations", translations));
    }
    return options;
  }

  private static void kindSettings(Validation v, JsonObject body, PollKind kind, int optionCount,
      JsonObject settings) {
    refuseUnless(v, body, "maxPicks", kind == PollKind.MULTIPLE_CHOICE);
    refuseUnless(v, body, "scale", kind == PollKind.RATING);
    refuseUnless(v, body, "maxLength", kind == PollKind.WORD_CLOUD || kind == PollKind.OPEN_TEXT);
    switch (kind) {
      case MULTIPLE_CHOICE -> settings.put("maxPicks", bounded(v, body, "maxPicks", 1, Math.max(1, optionCount),
          optionCount));
      case RATING -> settings.put("scale", scale(v, body.getValue("scale")));
      case WORD_CLOUD -> settings.put("maxLength", bounded(v, body, "maxLength", 1, MAX_WORD_LENGTH,
          DEFAULT_WORD_LENGTH));
      case OPEN_TEXT -> settings.put("maxLength", bounded(v, body, "maxLength", 1, MAX_TEXT_LENGTH,
          DEFAULT_TEXT_LENGTH));
      default -> { }
    }
  }

  /** A rating scale {min, max, labels}: whole numbers with 0 <= min < max <= 10, labels keyed by value. */
  private static JsonObject scale(Validation v, Object value) {
    if (!(value instanceof JsonObject scale)) {
      v.fail("scale", "is required: {min, max, labels}, for example {\"min\":1,\"max\":5}");
      return new JsonObject();
    }
    int min = bounded(v, scale, "min", 0, MAX_SCALE - 1, -1);
    int max = bounded(v, scale, "max", 1, MAX_SCALE, -1);
    if (min >= 0 && max >= 0 && min >= max) {
      v.fail("scale.max", "must be greater than scale.min");
    }
    JsonObject labels = new JsonObject();
    Object given = scale.getValue("labels");
    if (given instanceof JsonObject byValue) {
      for (String key : byValue.fieldNames()) {
        int point = key.matches("[0-9]{1,2}") ? Integer.parseInt(key) : -1;
        if (point < min || point > max) {
          v.fail("scale.labels." + key, "must label a value of the scale");
        } else {
          labels.put(key, textAt(v, "scale.labels." + key, byValue.getValue(key), MAX_OPTION));
        }
      }
    } else if (given != null) {
      v.fail("scale.labels", "must be an object of value to label, for example {\"1\":\"Poor\"}");
    }
    for (String key : scale.fieldNames()) {
      if (!List.of("min", "max", "labels").contains(key)) {
        v.fail("scale." + key, "is not a member of a scale");
      }
    }
    return new JsonObject().put("min", min).put("max", max).put("labels", labels);
  }

  /** A whole number within min..max; fallback when absent (a negative fallback makes it required). */
  private static int bounded(Validation v, JsonObject body, String field, int min, int max, int fallback) {
    Object value = body.getValue(field);
    if (value == null && fallback >= 0) {
      return fallback;
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= min
        && n.longValue() <= max) {
      return n.intValue();
    }
    v.fail(field, "must be a whole number from " + min + " to " + max);
    return -1;
  }

  private static void refuseUnless(Validation v, JsonObject body, String field, boolean allowed) {
    if (!allowed && body.getValue(field) != null) {
      v.fail(field, "does not apply to this kind of question");
    }
  }

  private static boolean flag(Validation v, JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      v.fail(field, "must be true or false");
      return false;
    }
    return Boolean.TRUE.equals(value);
  }

  /** Texts per language tag ({"fr": "..."}); absent is none. */
  private static JsonObject translations(Validation v, Object value, String field, int maxLength) {
    JsonObject translations = new JsonObject();
    if (value == null) {
      return translations;
    }
    if (!(value instanceof JsonObject byLanguage)) {
      v.fail(field, "must be an object of language tag to text, for example {\"fr\": \"...\"}");
      return translations;
    }
    for (String language : byLanguage.fieldNames()) {
      JsonObject tag = new JsonObject().put("language", language);
      Validation own = new Validation();
      own.language(tag, "language", true);
      if (!own.ok()) {
        v.fail(field + "." + language, "is not a language tag");
        continue;
      }
      translations.put(language, textAt(v, field + "." + language, byLanguage.getValue(language), maxLength));
    }
    return translations;
  }

  /** A required, trimmed text of at most maxLength characters, reported under the given field name. */
  static String textAt(Validation v, String field, Object value, int maxLength) {
    return v.text(new JsonObject().put(field, value), field, true, maxLength);
  }
}
