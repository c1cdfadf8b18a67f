package io.foyer.events;

import io.foyer.http.Validation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A custom question of an event's registration form, and the rule an answer must follow. Answers are checked
 * on the server, whatever the form did.
 */
public record RegistrationField(String id, String label, Type type, boolean required, List<String> options,
    Double min, Double max, Integer maxLength) {

  /** The kinds of answer a field accepts. */
  public enum Type {
    TEXT, EMAIL, NUMBER, SINGLE_CHOICE, MULTIPLE_CHOICE, COUNTRY, CONSENT;

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Type fromWire(String name) {
      for (Type type : values()) {
        if (type.wireName().equals(name)) {
          return type;
        }
      }
      return null;
    }
  }

  private static final int DEFAULT_MAX_LENGTH = 1000;
  private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
  private static final List<String> TYPE_NAMES = java.util.Arrays.stream(Type.values()).map(Type::wireName).toList();

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("label", label).put("type", type.wireName())
        .put("required", required);
    if (!options.isEmpty()) {
      json.put("options", new JsonArray(new ArrayList<>(options)));
    }
    if (min != null) {
      json.put("min", min);
    }
    if (max != null) {
      json.put("max", max);
    }
    if (maxLength != null) {
      json.put("maxLength", maxLength);
    }
    return json;
  }

  /** Parses the fields array of an event definition; problems are reported as fields[i].member. */
  static List<RegistrationField> listFromJson(Object value, Validation v) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      v.fail("fields", "must be an array of field definitions");
      return List.of();
    }
    List<RegistrationField> fields = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String at = "fields[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject json)) {
        v.fail(at, "must be an object");
        continue;
      }
      RegistrationField field = fromJson(json, at, v);
      if (field != null && !ids.add(field.id())) {
        v.fail(at + ".id", "'" + field.id() + "' is used by another field");
      } else if (field != null) {
        fields.add(field);
      }
    }
    return List.copyOf(fields);
  }

  private static RegistrationField fromJson(JsonObject json, String at, Validation v) {
    Object id = json.getValue("id");
    Object type = json.getValue("type");
    boolean ok = true;
    if (!(id instanceof String s) || !s.matches("[a-zA-Z][a-zA-Z0-9_]{0,63}")) {
      v.fail(at + ".id", "must be a name of letters, digits and _ starting with a letter (at most 64)");
      ok = false;
    }
    Type parsedType = type instanceof String s ? Type.fromWire(s) : null;
    if (parsedType == null) {
      v.fail(at + ".type", "must be one of " + String.join(", ", TYPE_NAMES));
      ok = false;
    }
    Object label = json.getValue("label", id);
    if (!(label instanceof String l) || l.isBlank() || l.length() > 200 || Validation.hasControlCharacters(l)) {
      v.fail(at + ".label", "must be a non-empty string of at most 200 characters");
      ok = false;
    }
    List<String> options = options(json.getValue("options"), at, parsedType, v);
    Double min = number(json.getValue("min"), at + ".min", v);
    Double max = number(json.getValue("max"), at + ".max", v);
    Integer maxLength = json.getValue("maxLength") == null ? null : json.getValue("maxLength") instanceof Integer n
        && n > 0 && n <= 10_000 ? n : null;
    if (json.getValue("maxLength") != null && maxLength == null) {
      v.fail(at + ".maxLength", "must be a whole number from 1 to 10000");
      ok = false;
    }
    Object required = json.getValue("required", false);
    if (!(required instanceof Boolean)) {
      v.fail(at + ".required", "must be true or false");
      ok = false;
    }
    if (min != null && max != null && min > max) {
      v.fail(at + ".min", "must not exceed max");
      ok = false;
    }
    if (!ok || options == null) {
      return null;
    }
    return new RegistrationField((String) id, (String) label, parsedType, (Boolean) required,
        options, min, max, maxLength);
  }

  private static List<String> options(Object value, String at, Type type, Validation v) {
    boolean choice = type == Type.SINGLE_CHOICE || type == Type.MULTIPLE_CHOICE;
    if (!choice) {
      if (value != null) {
        v.fail(at + ".options", "only choice fields have options");
        return null;
      }
      return List.of();
    }
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > 100
        || !array.stream().allMatch(o -> o instanceof String s && !s.isBlank() && s.length() <= 200
            && !Validation.hasControlCharacters(s))
        || new HashSet<>(array.getList()).size() != array.size()) {
      v.fail(at + ".options", "must be 1 to 100 distinct non-empty strings");
      return null;
    }
    return array.stream().map(String.class::cast).toList();
  }

  private static Double number(Object value, String at, Validation v) {
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    v.fail(at, "must be a number");
    return null;
  }

  /**
   * Checks one answer, reporting problems as answers.&lt;id&gt;; returns the normalized answer, or null
   * when absent or invalid.
   */
  public Object check(Object answer, Validation v) {
    String at = "answers." + id;
    if (answer == null || answer instanceof String s && s.isBlank()) {
      if (required) {
        v.fail(at, "is required");
      }
      return null;
    }
    return switch (type) {
      case TEXT -> text(answer, at, v);
      case EMAIL -> answer instanceof String s && Validation.isEmail(s.strip()) ? s.strip()
          : invalid(v, at, "is not a valid email address");
      case NUMBER -> numberAnswer(answer, at, v);
      case SINGLE_CHOICE -> answer instanceof String s && options.contains(s) ? s
          : invalid(v, at, "must be one of " + String.join(", ", options));
      case MULTIPLE_CHOICE -> choices(answer, at, v);
      case COUNTRY -> answer instanceof String s && COUNTRIES.contains(s.toUpperCase(Locale.ROOT))
          ? s.toUpperCase(Locale.ROOT) : invalid(v, at, "must be an ISO 3166-1 alpha-2 country code, like FR");
      case CONSENT -> consent(answer, at, v);
    };
  }

  private Object text(Object answer, String at, Validation v) {
    if (!(answer instanceof String s)) {
      return invalid(v, at, "must be a string");
    }
    if (Validation.hasControlCharacters(s)) {
      return invalid(v, at, "must not contain control characters");
    }
    int limit = maxLength == null ? DEFAULT_MAX_LENGTH : maxLength;
    return s.strip().length() <= limit ? s.strip() : invalid(v, at, "must be at most " + limit + " characters");
  }

  private Object numberAnswer(Object answer, String at, Validation v) {
    if (!(answer instanceof Number n) || Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue())) {
      return invalid(v, at, "must be a number");
    }
    if (min != null && n.doubleValue() < min || max != null && n.doubleValue() > max) {
      return invalid(v, at, "must be between " + (min == null ? "-inf" : min) + " and " + (max == null ? "inf" : max));
    }
    return n;
  }

  private Object choices(Object answer, String at, Validation v) {
    if (!(answer instanceof JsonArray array) || !array.stream().allMatch(options::contains)
        || new HashSet<>(array.getList()).size() != array.size()) {
      return invalid(v, at, "must be a list of distinct options from " + String.join(", ", options));
    }
    if (required && array.isEmpty()) {
      return invalid(v, at, "needs at least one option");
    }
    return array;
  }

  private Object consent(Object answer, String at, Validation v) {
    if (!(answer instanceof Boolean given)) {
      return invalid(v, at, "must be true or false");
    }
    if (required && !given) {
      return invalid(v, at, "must be accepted (true) to register");
    }
    return given;
  }

  private static Object invalid(Validation v, String at, String message) {
    v.fail(at, message);
    return null;
  }
}
