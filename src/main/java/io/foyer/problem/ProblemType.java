package io.foyer.problem;

/**
 * The stable problem types Foyer reports, as RFC 9457 {@code type} URIs for HTTP and as {@code code} strings
 * for WebSocket errors. Clients match on these; never rename one.
 */
public enum ProblemType {
  BAD_REQUEST("bad-request", 400, "Bad request"),
  INVALID_JSON("invalid-json", 400, "Request body is not valid JSON"),
  UNAUTHORIZED("unauthorized", 401, "Authentication required"),
  FORBIDDEN("forbidden", 403, "Not allowed"),
  NOT_FOUND("not-found", 404, "Not found"),
  METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
  CONFLICT("conflict", 409, "Conflict"),
  REGISTRATION_NOT_OPEN("registration-not-open", 409, "Registration has not opened yet"),
  REGISTRATION_CLOSED("registration-closed", 409, "Registration is closed"),
  REGISTRATION_INACTIVE("registration-inactive", 403, "Registration cancelled or erased"),
  POLL_NOT_DRAFT("poll-not-draft", 409, "The poll is no longer a draft"),
  POLL_NOT_LIVE("poll-not-live", 409, "The poll is not live"),
  POLL_NOT_CLOSED("poll-not-closed", 409, "The poll is not closed"),
  ALREADY_VOTED("already-voted", 409, "Already voted in this poll"),
  QUIZ_NOT_DRAFT("quiz-not-draft", 409, "The quiz has started already"),
  QUIZ_NOT_RUNNING("quiz-not-running", 409, "The quiz is not running"),
  QUESTION_OPEN("question-open", 409, "A question of the quiz is still open"),
  NO_MORE_QUESTIONS("no-more-questions", 409, "The quiz has no more questions"),
  QUESTION_NOT_OPEN("question-not-open", 409, "The question is not open"),
  QUESTION_CLOSED("question-closed", 409, "The question is closed"),
  ANSWER_TOO_LATE("answer-too-late", 409, "The answer came after the question's deadline"),
  ALREADY_ANSWERED("already-answered", 409, "Already answered this question"),
  GONE("gone", 410, "No longer available"),
  INVALID_TICKET("invalid-ticket", 400, "Not a valid lobby ticket"),
  TICKET_EXPIRED("ticket-expired", 410, "The lobby ticket expired"),
  NOT_YOUR_TURN("not-your-turn", 409, "Not your turn yet"),
  ADMISSION_REQUIRED("admission-required", 403, "The lobby is open: an admission token is required"),
  INVALID_ADMISSION("invalid-admission", 403, "Not a valid admission token"),
  ADMISSION_EXPIRED("admission-expired", 403, "The admission token expired"),
  ADMISSION_USED("admission-used", 403, "The admission token was used for another registration"),
  SIGN_IN_REQUIRED("sign-in-required", 401, "Sign in to register for this event"),
  SIGN_IN_EMAIL_MISSING("sign-in-email-missing", 403, "The sign-in gave no usable email address"),
  INVITE_CODE_REQUIRED("invite-code-required", 403, "An invite code is required to register"),
  INVITE_CODE_UNKNOWN("invite-code-unknown", 403, "Not an invite code of this event"),
  INVITE_CODE_REVOKED("invite-code-revoked", 403, "The invite code was revoked"),
  INVITE_CODE_USED_UP("invite-code-used-up", 403, "The invite code has no uses left"),
  SIGN_IN_FAILED("sign-in-failed", 401, "Sign-in failed"),
  SIGN_IN_STATE_INVALID("sign-in-state-invalid", 400, "Not a sign-in this browser started, or one already used"),
  CSRF_TOKEN_INVALID("csrf-token-invalid", 403, "Missing or wrong CSRF token"),
  RATE_LIMITED("rate-limited", 429, "Too many requests"),
  LOBBY_FULL("lobby-full", 503, "The lobby's line is full"),
  PAYLOAD_TOO_LARGE("payload-too-large", 413, "Request body too large"),
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported content type"),
  VALIDATION("validation-failed", 422, "Validation failed"),
  IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, "Idempotency-Key already used for another request"),
  INTERNAL("internal", 500, "Internal server error"),
  OVERLOADED("overloaded", 503, "Server busy, retry shortly"),
  UNAVAILABLE("unavailable", 503, "Service unavailable");

  private static final String TYPE_PREFIX = "urn:foyer:problem:";

  private final String code;
  private final int status;
  private final String title;

  ProblemType(String code, int status, String title) {
    this.code = code;
    this.status = status;
    this.title = title;
  }

  /** Short stable code, used as the WebSocket error code. */
  public String code() {
    return code;
  }

  /** RFC 9457 type URI. */
  public String uri() {
    return TYPE_PREFIX + code;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** Whether the same request may succeed if retried later unchanged. */
  public boolean retryable() {
    return this == OVERLOADED || this == UNAVAILABLE || this == RATE_LIMITED || this == LOBBY_FULL;
  }
}
