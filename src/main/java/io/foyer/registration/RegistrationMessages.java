package io.foyer.registration;

import io.foyer.audit.Actor;
import io.foyer.problem.ProblemException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;

/**
 * The registration capability's addresses and the typed messages they carry (passed as they are inside a
 * node). The HTTP routes, the gateway and later the lobby talk to registration only through these.
 */
public final class RegistrationMessages {

  private RegistrationMessages() {}

  public static final String REGISTER = "foyer.registration.register";
  public static final String CANCEL = "foyer.registration.cancel";
  public static final String GET_MINE = "foyer.registration.get";
  public static final String UPDATE_MINE = "foyer.registration.update";
  public static final String LIST = "foyer.registration.list";
  public static final String VIEW = "foyer.registration.view";
  public static final String EXPORT = "foyer.registration.export";
  public static final String ERASE = "foyer.registration.erase";
  public static final String CSV = "foyer.registration.csv";
  public static final String STATUS = "foyer.registration.status";
  /** Published by the node's registration writer while it refuses for overload, and once when it stops. */
  public static final String ADMISSION = "foyer.registration.admission";

  /**
   * An attendee's registration request as sent over HTTP; checked by the registration verticle. {@code signIn}:
   * who is signed in on the request's cookie session, or null.
   */
  public record Register(long eventId, JsonObject body, String idempotencyKey, SignIn signIn) {}

  /**
   * The person signed in through a provider on a registration request. {@code refusal}: why the sign-in may not
   * register (no CSRF token with the request, a provider that does not admit attendees), or null; it counts for
   * an 'sso' event only.
   */
  public record SignIn(String provider, String subject, String name, String email, ProblemException refusal) {}

  /** The answer to a registration: HTTP status, body, and whether it names a registration the caller holds. */
  public record Answer(int statusCode, JsonObject body, boolean holder) {}

  /** A cancellation by the attendee (actor null) or by an organizer (audited). Answer: the registration. */
  public record Cancel(long eventId, UUID registrationId, Actor actor) {}

  /** One registration as its attendee sees it. Answer: the registration. */
  public record Mine(long eventId, UUID registrationId) {}

  /** An attendee's change of name, language or answers. Answer: the registration. */
  public record UpdateMine(long eventId, UUID registrationId, JsonObject patch) {}

  /** A page of an event's registrations for an organizer (audited). Answer: {total, limit, offset, registrations}. */
  public record ListPage(long eventId, String status, int limit, int offset, Actor actor) {}

  /** An organizer's action on one registration (view, export, erase; audited). Answer: JSON. */
  public record OfOne(long eventId, UUID registrationId, Actor actor) {}

  /** An event's registrations as CSV (audited). Answer: the CSV text. */
  public record Csv(long eventId, Actor actor) {}

  /** Asks which event a registration belongs to and whether it still stands. Answer: {@link Status}. */
  public record StatusQuery(UUID registrationId) {}

  /**
   * Whether registrations may be refused before they reach the writer: until {@code refuseUntilNanos} (on
   * {@link System#nanoTime()}; 0 = admit), with {@code retryAfter} as the client's hint.
   */
  public record Admission(long refuseUntilNanos, Duration retryAfter) {
    public static final Admission OPEN = new Admission(0, Duration.ZERO);

    public boolean refusing(long nowNanos) {
      return refuseUntilNanos != 0 && nowNanos - refuseUntilNanos < 0;
    }
  }

  /**
   * A registration's event, whether it is active (neither cancelled nor erased) and its language (what the
   * attendee's socket receives translated content in); found false when absent.
   */
  public record Status(boolean found, long eventId, boolean active, String language) {
    static final Status ABSENT = new Status(false, 0, false, null);
  }
}
