package io.foyer.http;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Collects every problem of a request body, each naming its field, and reports them together as one
 * validation-failed problem, so a client fixes a form in one round trip.
 */
public final class Validation {

  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+$");
  private static final Pattern LANGUAGE = Pattern.compile("^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$");

  private final List<JsonObject> errors = new ArrayList<>();

  public void fail(String field, String message) {
    errors.add(new JsonObject().put("field", field).put("message", message));
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  /** Throws the collected problems, if any. */
  public void throwIfInvalid() {
    if (!errors.isEmpty()) {
      String detail = errors.size() == 1 ? errors.get(0).getString("field") + ": " + errors.get(0).getString("message")
          : errors.size() + " fields are invalid";
      throw new ProblemException(ProblemType.VALIDATION, detail,
          new JsonObject().put("errors", new JsonArray(new ArrayList<>(errors))));
    }
  }

  public String text(JsonObject body, String field, boolean required, int maxLength) {
    Object value = body.getValue(field);
    if (value == null) {
      if (required) {
        fail(field, "is required");
      }
      return null;
    }
    if (!(value instanceof String text)) {
      fail(field, "must be a string");
      return null;
    }
    String trimmed = text.strip();
    if (hasControlCharacters(trimmed)) {
      fail(field, "must not contain control characters");
      return null;
    }
    if (required && trimmed.isEmpty()) {
      fail(field, "must not be empty");
      return null;
    }
    if (trimmed.length() > maxLength) {
      fail(field, "must be at most " + maxLength + " characters");
      return null;
    }
    return trimmed;
  }

  public Instant instant(JsonObject body, String field, boolean required) {
    Object value = body.getValue(field);
    if (value == null) {
      if (required) {
        fail(field, "is required");
      }
      return null;
    }
    if (value instanceof String text) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeException e) {
        // reported below
      }
    }
    fail(field, "must be a date-time with offset, like 2026-05-04T09:00:00Z");
    return null;
  }

  /** Reports {@code laterField} when both instants are given and it is not after {@code earlierField}. */
  public void after(String laterField, Instant later, String earlierField, Instant earlier) {
    if (earlier != null && later != null && !later.isAfter(earlier)) {
      fail(laterField, "must be after " + earlierField);
    }
  }

  public Integer positiveInt(JsonObject body, String field) {
    Long value = wholeNumber(body, field, 1, 10_000_000,
        "must be a whole number from 1 to 10000000, or null for no limit");
    return value == null ? null : value.intValue();
  }

  /** An optional whole number from min to max; null when absent, or when invalid (then reported as message). */
  public Long wholeNumber(JsonObject body, String field, long min, long max, String message) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())
        && number.doubleValue() >= min && number.doubleValue() <= max) {
      return number.longValue();
    }
    fail(field, message);
    return null;
  }

  public String zone(JsonObject body, String field) {
    String zone = text(body, field, true, 64);
    if (zone != null) {
      try {
        return ZoneId.of(zone).getId();
      } catch (DateTimeException e) {
        fail(field, "must be an IANA time zone, like Europe/Paris");
      }
    }
    return null;
  }

  public String language(JsonObject body, String field, boolean required) {
    String tag = text(body, field, required, 35);
    if (tag == null) {
      return null;
    }
    if (!LANGUAGE.matcher(tag).matches()) {
      fail(field, "must be a language tag, like en or pt-BR");
      return null;
    }
    return Locale.forLanguageTag(tag).toLanguageTag();
  }

  public String email(JsonObject body, String field) {
    String email = text(body, field, true, 254);
    if (email != null && !isEmail(email)) {
      fail(field, "is not a valid email address");
      return null;
    }
    return email;
  }

  public static boolean isEmail(String value) {
    return value.length() <= 254 && EMAIL.matcher(value).matches() && !hasControlCharacters(value);
  }

  /**
   * Control characters other than tab and line breaks have no place in names or answers, and NUL cannot
   * even be stored in PostgreSQL text or jsonb.
   */
  public static boolean hasControlCharacters(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  /** Refuses members the endpoint does not know, so a misspelt field is not silently ignored. */
  /**
   * Adds the field errors of a validation-failed problem from a nested check, each field prefixed (e.g.
   * "questions[2]."); any other problem is thrown as it is.
   */
  public void failAll(String prefix, ProblemException invalid) {
    if (invalid.type() != ProblemType.VALIDATION) {
      throw invalid;
    }
    invalid.extensions().getJsonArray("errors", new JsonArray()).forEach(error -> fail(
        prefix + ((JsonObject) error).getString("field"), ((JsonObject) error).getString("message")));
  }

  public void onlyKnown(JsonObject body, List<String> known) {
    for (String name : body.fieldNames()) {
      if (!known.contains(name)) {
        fail(name, "is not a known field (known: " + String.join(", ", known) + ")");
      }
    }
  }
}
