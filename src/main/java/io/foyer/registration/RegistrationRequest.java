package io.foyer.registration;

import io.foyer.events.Event;
import io.foyer.events.RegistrationField;
import io.foyer.http.Validation;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** An attendee's registration, checked against the event's form and normalized, ready for the writer. */
public record RegistrationRequest(long eventId, String name, String email, String language, JsonObject answers,
    String idempotencyKey, String fingerprint) {

  private static final List<String> MEMBERS = List.of("name", "email", "language", "answers", "consent");
  private static final int MAX_IDEMPOTENCY_KEY = 200;

  /** Checks every member and every answer; all problems are reported together. */
  public static RegistrationRequest fromJson(Event event, JsonObject body, String idempotencyKey) {
    checkIdempotencyKey(idempotencyKey);
    Validation v = new Validation();
    v.onlyKnown(body, MEMBERS);
    String name = v.text(body, "name", true, 200);
    String email = v.email(body, "email");
    String language = v.language(body, "language", false);
    if (!Boolean.TRUE.equals(body.getValue("consent"))) {
      v.fail("consent", "must be true: registering requires accepting the privacy notice");
    }
    JsonObject answers = checkAnswers(event.definition().fields(), body.getValue("answers"), v);
    v.throwIfInvalid();
    return new RegistrationRequest(event.id(), name, email,
        language == null ? event.definition().defaultLanguage() : language, answers, idempotencyKey,
        idempotencyKey == null ? null : fingerprint(body));
  }

  /** An Idempotency-Key header, when given, is 1 to 200 printable characters; else bad-request. */
  public static void checkIdempotencyKey(String idempotencyKey) {
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY
        || Validation.hasControlCharacters(idempotencyKey))) {
      throw new ProblemException(ProblemType.BAD_REQUEST,
          "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " printable characters");
    }
  }

  /**
   * Checks answers against the form. An absent answer counts as none given; answers to questions the form
   * does not ask are refused.
   */
  static JsonObject checkAnswers(List<RegistrationField> fields, Object value, Validation v) {
    JsonObject given;
    if (value == null) {
      given = new JsonObject();
    } else if (value instanceof JsonObject object) {
      given = object;
    } else {
      v.fail("answers", "must be an object of field id to answer");
      return new JsonObject();
    }
    for (String id : given.fieldNames()) {
      if (fields.stream().noneMatch(f -> f.id().equals(id))) {
        v.fail("answers." + id, "is not a question of this event");
      }
    }
    Map<String, Object> normalized = new TreeMap<>();
    for (RegistrationField field : fields) {
      Object answer = field.check(given.getValue(field.id()), v);
      if (answer != null) {
        normalized.put(field.id(), answer);
      }
    }
    return new JsonObject(normalized);
  }

  /** Same person, same event: emails compare without case or surrounding space. */
  public String emailKey() {
    return email.toLowerCase(Locale.ROOT);
  }

  /**
   * Identifies a request body as sent, so that a retry (the same body again) is recognised before anything is
   * checked, and a reused Idempotency-Key with a different body is caught.
   */
  public static String fingerprint(JsonObject body) {
    String canonical = body.encode();
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The writer's command for this registration. */
  JsonObject toCommand() {
    return new JsonObject().put("command", "register").put("eventId", eventId).put("email", email)
        .put("emailKey", emailKey()).put("name", name).put("language", language).put("answers", answers)
        .put("idempotencyKey", idempotencyKey).put("fingerprint", fingerprint);
  }
}
