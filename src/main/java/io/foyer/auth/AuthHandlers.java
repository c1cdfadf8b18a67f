package io.foyer.auth;

import io.foyer.audit.Actor;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** Route handlers that admit organizers (API key) or attendees (attendee token) sent as bearer tokens. */
public final class AuthHandlers {

  private static final String ORGANIZER = "foyer.organizer";
  private static final String ATTENDEE = "foyer.attendee";

  private final OrganizerKeys keys;
  private final AttendeeTokens tokens;

  public AuthHandlers(OrganizerKeys keys, AttendeeTokens tokens) {
    this.keys = keys;
    this.tokens = tokens;
  }

  public Handler<RoutingContext> organizer() {
    return ctx -> {
      String bearer = bearer(ctx);
      keys.authenticate(bearer == null ? "" : bearer).ifPresentOrElse(organizer -> {
        ctx.put(ORGANIZER, organizer);
        ctx.next();
      }, () -> ctx.fail(new ProblemException(ProblemType.UNAUTHORIZED,
          "send an organizer API key as 'Authorization: Bearer <key>'")));
    };
  }

  public Handler<RoutingContext> attendee() {
    return ctx -> {
      String bearer = bearer(ctx);
      if (bearer == null) {
        ctx.fail(new ProblemException(ProblemType.UNAUTHORIZED,
            "send your attendee token as 'Authorization: Bearer <token>'"));
        return;
      }
      tokens.verify(bearer).onComplete(ar -> {
        if (ar.succeeded()) {
          ctx.put(ATTENDEE, ar.result());
          ctx.next();
        } else {
          ctx.fail(new ProblemException(ProblemType.UNAUTHORIZED, "the attendee token is invalid or expired"));
        }
      });
    };
  }

  /**
   * Admits an organizer key or an attendee token, whichever the bearer is, for routes that serve both and
   * decide themselves what each may do.
   */
  public Handler<RoutingContext> organizerOrAttendee() {
    Handler<RoutingContext> attendee = attendee();
    return ctx -> {
      String bearer = bearer(ctx);
      var organizer = bearer == null ? java.util.Optional.<Organizer>empty() : keys.authenticate(bearer);
      if (organizer.isPresent()) {
        ctx.put(ORGANIZER, organizer.get());
        ctx.next();
      } else {
        attendee.handle(ctx);
      }
    };
  }

  /** The organizer admitted for this request, after checking the key may act on the event. */
  public static Organizer organizerFor(RoutingContext ctx, long eventId) {
    Organizer organizer = organizer(ctx);
    if (!organizer.mayActOn(eventId)) {
      throw new ProblemException(ProblemType.FORBIDDEN,
          "API key '" + organizer.keyName() + "' is limited to event " + organizer.eventScope());
    }
    return organizer;
  }

  /** Who acts in this request, from where: the organizer admitted for it and the caller's address, for audit. */
  public static Actor actor(RoutingContext ctx, Organizer organizer) {
    return new Actor(organizer.keyName(), ctx.request().remoteAddress().hostAddress());
  }

  public static Organizer organizer(RoutingContext ctx) {
    return ctx.get(ORGANIZER);
  }

  /** The attendee admitted for this request, or null when it was not an attendee's. */
  public static Attendee attendee(RoutingContext ctx) {
    return ctx.get(ATTENDEE);
  }

  /** The attendee admitted for this request, after checking the token belongs to the event. */
  public static Attendee attendeeOf(RoutingContext ctx, long eventId) {
    Attendee attendee = ctx.get(ATTENDEE);
    if (attendee.eventId() != eventId) {
      throw new ProblemException(ProblemType.FORBIDDEN, "this attendee token belongs to another event");
    }
    return attendee;
  }

  private static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
