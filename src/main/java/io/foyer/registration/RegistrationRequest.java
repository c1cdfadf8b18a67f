package io.foyer.registration;

import io.foyer.events.Event;
import io.foyer.events.RegistrationField;
import io.foyer.events.RegistrationMode;
import io.foyer.registration.RegistrationMessages.SignIn;
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
import java.util.regex.Pattern;

/**
 * An attendee's registration, checked against the event's form and normalized, ready for the writer. For an
 * 'sso' event it carries the sign-in's provider and subject, for an 'invite' event the SHA-256 of the code (the
 * database keeps only that).
 */
public record RegistrationRequest(long eventId, String name, String email, String language, JsonObject answers,
    String idempotencyKey, String fingerprint, SignIn signIn, String inviteHash) {

  private static final List<String> MEMBERS = List.of("name", "email", "language", "answers", "consent",
      "inviteCode");
  /** What the writer's database function knows as a code: what InviteCodes makes, base64url. */
  private static final Pattern INVITE_CODE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_IDEMPOTENCY_KEY = 200;
  private static final int MAX_NAME = 200;

  /**
   * Checks every member and every answer; all problems are reported together. An 'invite' event's code is
   * checked first (its own problem types), and an 'sso' event's name and email come from the sign-in, given by
   * {@link #requiredSignIn}; typed ones are refused there rather than silently dropped, so that a client that
   * shows them learns it should not. On other events an inviteCode is ignored: a link with one keeps working
   * after an organizer opens the event to everyone.
   */
  public static RegistrationRequest fromJson(Event event, JsonObject body, String idempotencyKey, SignIn signIn) {
    checkIdempotencyKey(idempotencyKey);
    RegistrationMode mode = event.definition().registrationMode();
    Validation v = new Validation();
    v.onlyKnown(body, MEMBERS);
    String inviteHash = mode == RegistrationMode.INVITE ? inviteHash(body, v) : null;
    String name;
    String email;
    if (mode == RegistrationMode.SSO) {
      for (String typed : List.of("name", "email")) {
        if (body.containsKey(typed)) {
          v.fail(typed, "is taken from your sign-in for this event; leave it out");
        }
      }
      email = signIn.email().strip();
      name = signIn.name() == null || signIn.name().isBlank() ? email : signIn.name().strip();
      name = name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
    } else {
      name = v.text(body, "name", true, MAX_NAME);
      email = v.email(body, "email");
    }
    String language = v.language(body, "language", false);
    if (!Boolean.TRUE.equals(body.getValue("consent"))) {
      v.fail("consent", "must be true: registering requires accepting the privacy notice");
    }
    JsonObject answers = checkAnswers(event.definition().fields(), body.getValue("answers"), v);
    v.throwIfInvalid();
    return new RegistrationRequest(event.id(), name, email,
        language == null ? event.definition().defaultLanguage() : language, answers, idempotencyKey,
        idempotencyKey == null ? null : fingerprint(body, mode == RegistrationMode.SSO ? signIn : null),
        mode == RegistrationMode.SSO ? signIn : null, inviteHash);
  }

  /**
   * For an 'sso' event, the sign-in the registration is made with, else null. Refuses (nothing stored) when
   * nobody is signed in, when the sign-in may not register (no CSRF token, a provider for staff only), or when
   * the provider gave no usable email (registrations are one per email, and the organizer must be able to reach the attendee).
   */
  public static SignIn requiredSignIn(Event event, SignIn signIn) {
    if (event.definition().registrationMode() != RegistrationMode.SSO) {
      return null;
    }
    if (signIn == null) {
      throw new ProblemException(ProblemType.SIGN_IN_REQUIRED, "this event takes registrations from people signed "
          + "in only: sign in with one of the providers of GET /api/auth/providers, then register again");
    }
    if (signIn.refusal() != null) {
      throw signIn.refusal();
    }
    if (signIn.email() == null || !Validation.isEmail(signIn.email().strip())) {
      throw new ProblemException(ProblemType.SIGN_IN_EMAIL_MISSING, "your sign-in with '" + signIn.provider()
          + "' gave no email address; ask the organizer, or sign in with an account that has one");
    }
    return signIn;
  }

  /** The code's SHA-256 (hex), or null with the problem recorded or thrown. */
  private static String inviteHash(JsonObject body, Validation v) {
    Object value = body.getValue("inviteCode");
    if (value != null && !(value instanceof String)) {
      v.fail("inviteCode", "must be a string");
      return null;
    }
    String code = value == null ? "" : ((String) value).strip();
    if (code.isEmpty()) {
      throw new ProblemException(ProblemType.INVITE_CODE_REQUIRED,
          "this event takes registrations by invitation only: send the invite code as inviteCode");
    }
    if (!INVITE_CODE.matcher(code).matches()) {
      throw InviteCodes.unknown();
    }
    return InviteCodes.hash(code);
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
    return fingerprint(body, null);
  }

  /** As {@link #fingerprint(JsonObject)}, of a request made by the given sign-in (null: by nobody signed in). */
  public static String fingerprint(JsonObject body, SignIn signIn) {
    // on an 'sso' event the body says nothing of who registers: two people sending the same body and key are
    // two requests
    String canonical = signIn == null ? body.encode()
        : body.encode() + "\n" + signIn.provider() + "\n" + signIn.subject();
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
        .put("idempotencyKey", idempotencyKey).put("fingerprint", fingerprint)
        .put("ssoProvider", signIn == null ? null : signIn.provider())
        .put("ssoSubject", signIn == null ? null : signIn.subject()).put("inviteHash", inviteHash);
  }
}
