package io.foyer.auth;

import io.foyer.audit.Actor;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.sso.RoleGrant;
import io.foyer.sso.SsoSession;
import io.foyer.sso.SsoUser;
import io.foyer.sso.StaffRole;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * Route handlers that admit organizers (API key), attendees (attendee token) or those who run interactions
 * (organizer or presenter token), sent as bearer tokens; or, without a bearer token, someone signed in by single
 * sign-on whose roles allow it (their cookie-authenticated state-changing requests must carry the CSRF token).
 */
public final class AuthHandlers {

  private static final String ORGANIZER = "foyer.organizer";
  private static final String ATTENDEE = "foyer.attendee";
  private static final String PRESENTER = "foyer.presenter";
  /** Someone signed in who may run some event's interactions; runnerFor decides which. */
  private static final String SIGNED_IN_RUNNER = "foyer.sso.runner";

  private final OrganizerKeys keys;
  private final AttendeeTokens tokens;
  private final PresenterTokens presenters;

  public AuthHandlers(Credentials credentials) {
    this.keys = credentials.keys();
    this.tokens = credentials.tokens();
    this.presenters = credentials.presenters();
  }

  /**
   * Organizers only; a presenter or attendee token is known but not enough (403), anything else is no credential
   * (401).
   */
  public Handler<RoutingContext> organizer() {
    return ctx -> {
      String bearer = bearer(ctx);
      // the session is read once: signedIn also checks a change's CSRF token
      SsoUser signedIn = bearer == null ? SsoSession.signedIn(ctx) : null;
      if (signedIn != null) {
        admitSignedInOrganizer(ctx, signedIn);
        return;
      }
      if (admittedAsOrganizer(ctx, bearer)) {
        return;
      }
      if (bearer == null) {
        ctx.fail(noOrganizerKey());
        return;
      }
      // a token Foyer issued is a credential, just not this one: 403, as for any known but insufficient one
      presenters.isSigned(bearer).onComplete(presenter -> {
        if (presenter.succeeded() && presenter.result()) {
          ctx.fail(new ProblemException(ProblemType.FORBIDDEN, "a presenter token may run polls and quizzes only; "
              + "this needs an organizer API key"));
          return;
        }
        tokens.verify(bearer).onComplete(attendee -> ctx.fail(attendee.succeeded()
            ? new ProblemException(ProblemType.FORBIDDEN, "an attendee token is for its own registration only; "
                + "this needs an organizer API key")
            : noOrganizerKey()));
      });
    };
  }

  private static ProblemException noOrganizerKey() {
    return new ProblemException(ProblemType.UNAUTHORIZED, "send an organizer API key as 'Authorization: Bearer <key>'");
  }

  /**
   * Whoever may run interactions: an organizer key, or a presenter token that is still valid (checked in the
   * database, so a revocation counts at once). Routes then call {@link #runnerFor} with their event and session.
   * An attendee token is refused with 403, anything else with 401.
   */
  public Handler<RoutingContext> runner() {
    return ctx -> {
      String bearer = bearer(ctx);
      // the session is read once: signedIn also checks a change's CSRF token
      SsoUser signedIn = bearer == null ? SsoSession.signedIn(ctx) : null;
      if (signedIn != null) {
        admitSignedInRunner(ctx, signedIn);
        return;
      }
      if (bearer == null) {
        ctx.fail(new ProblemException(ProblemType.UNAUTHORIZED,
            "send an organizer API key or a presenter token as 'Authorization: Bearer <token>'"));
        return;
      }
      if (admittedAsOrganizer(ctx, bearer)) {
        return;
      }
      admitPresenter(ctx, bearer, notPresenter -> refuseNonRunner(notPresenter, bearer));
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
   * Admits whoever takes part in an event's interactions: an organizer key or a valid presenter token (those who
   * run them) or an attendee token (those who answer); the route then decides what each may do.
   */
  public Handler<RoutingContext> runnerOrAttendee() {
    Handler<RoutingContext> attendee = attendee();
    Handler<RoutingContext> runner = runner();
    return ctx -> {
      String bearer = bearer(ctx);
      if (bearer == null) {
        // attendees always bring their token; a cookie without one is staff signed in
        (SsoUser.of(ctx) != null ? runner : attendee).handle(ctx);
        return;
      }
      if (admittedAsOrganizer(ctx, bearer)) {
        return;
      }
      // an attendee token fails the presenter check on its role claim, before any database read
      admitPresenter(ctx, bearer, attendee);
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

  /**
   * Who runs an interaction of the event (and session, when it belongs to one) in this request, after a
   * {@link #runner()} handler: an organizer whose key covers the event, or a presenter of the event; a
   * session-scoped presenter only for its session. Fails with 403 otherwise.
   */
  public static Runner runnerFor(RoutingContext ctx, long eventId, Long sessionId) {
    SsoUser signedIn = ctx.get(SIGNED_IN_RUNNER);
    if (signedIn != null) {
      return signedInRunner(ctx, signedIn, eventId);
    }
    Presenter presenter = ctx.get(PRESENTER);
    if (presenter == null) {
      Organizer organizer = organizerFor(ctx, eventId);
      return new Runner(Runner.Role.ORGANIZER, actor(ctx, organizer), null);
    }
    if (presenter.eventId() != eventId) {
      throw new ProblemException(ProblemType.FORBIDDEN, "this presenter token belongs to another event");
    }
    if (!presenter.mayRun(eventId, sessionId)) {
      throw new ProblemException(ProblemType.FORBIDDEN,
          "this presenter token is limited to session " + presenter.sessionId());
    }
    return presenterRunner(ctx, presenter);
  }

  /**
   * As {@link #runnerFor} where the session is not known yet (an existing poll's session is read by the
   * capability): a session-scoped presenter is admitted with {@link Runner#onlySession()}, which the capability
   * checks against what the request is about.
   */
  public static Runner runnerOfEvent(RoutingContext ctx, long eventId) {
    SsoUser signedIn = ctx.get(SIGNED_IN_RUNNER);
    if (signedIn != null) {
      return signedInRunner(ctx, signedIn, eventId);
    }
    Presenter presenter = ctx.get(PRESENTER);
    if (presenter == null) {
      return runnerFor(ctx, eventId, null);
    }
    if (presenter.eventId() != eventId) {
      throw new ProblemException(ProblemType.FORBIDDEN, "this presenter token belongs to another event");
    }
    return presenterRunner(ctx, presenter);
  }

  /** A presenter or moderator signed in runs the event's interactions as a presenter does, in any of its sessions. */
  private static Runner signedInRunner(RoutingContext ctx, SsoUser user, long eventId) {
    if (!user.holds(StaffRole.PRESENTER, eventId) && !user.holds(StaffRole.MODERATOR, eventId)) {
      throw new ProblemException(ProblemType.FORBIDDEN, "your sign-in grants no role for event " + eventId);
    }
    return new Runner(Runner.Role.PRESENTER, new Actor(user.actorName(), ctx.request().remoteAddress().hostAddress()),
        null);
  }

  /**
   * Admits someone signed in as an organizer of the request's event (its :eventId), or of every event; for a
   * route without an event, an organizer of exactly one event acts as a key limited to it.
   */
  private static void admitSignedInOrganizer(RoutingContext ctx, SsoUser user) {
    Organizer organizer = signedInOrganizer(ctx, user);
    if (organizer != null) {
      ctx.put(ORGANIZER, organizer);
      ctx.next();
      return;
    }
    Long event = pathEvent(ctx);
    ctx.fail(new ProblemException(ProblemType.FORBIDDEN, event == null
        ? "your sign-in grants no organizer role that covers this (it needs an organizer of every event, or of "
            + "exactly one)"
        : "your sign-in grants no organizer role for event " + event));
  }

  /** Admits an organizer as {@link #admitSignedInOrganizer} does, else anyone signed in with a presenter role. */
  private static void admitSignedInRunner(RoutingContext ctx, SsoUser user) {
    Organizer organizer = signedInOrganizer(ctx, user);
    if (organizer != null) {
      ctx.put(ORGANIZER, organizer);
      ctx.next();
    } else if (user.roles().stream().anyMatch(g -> g.role() != StaffRole.ORGANIZER)) {
      ctx.put(SIGNED_IN_RUNNER, user);
      ctx.next();
    } else {
      ctx.fail(new ProblemException(ProblemType.FORBIDDEN, "your sign-in grants no role that runs polls or quizzes"));
    }
  }

  private static Organizer signedInOrganizer(RoutingContext ctx, SsoUser user) {
    if (user.holdsEverywhere(StaffRole.ORGANIZER)) {
      return new Organizer(user.actorName(), null);
    }
    Long event = pathEvent(ctx);
    if (event != null) {
      return user.holds(StaffRole.ORGANIZER, event) ? new Organizer(user.actorName(), event) : null;
    }
    List<Long> events = user.roles().stream().filter(g -> g.role() == StaffRole.ORGANIZER).map(RoleGrant::eventId)
        .toList();
    return events.size() == 1 ? new Organizer(user.actorName(), events.get(0)) : null;
  }

  /** The request's :eventId when it has a valid one, else null (a bad one is the route's to refuse). */
  private static Long pathEvent(RoutingContext ctx) {
    String value = ctx.pathParam("eventId");
    return value != null && value.matches("[1-9][0-9]{0,17}") ? Long.valueOf(value) : null;
  }

  private static Runner presenterRunner(RoutingContext ctx, Presenter presenter) {
    return new Runner(Runner.Role.PRESENTER, new Actor("presenter:" + presenter.name(),
        ctx.request().remoteAddress().hostAddress()), presenter.sessionId());
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

  /** When the bearer is an organizer key: remembers the organizer, passes the request on and answers true. */
  private boolean admittedAsOrganizer(RoutingContext ctx, String bearer) {
    Optional<Organizer> organizer = keys.authenticate(bearer == null ? "" : bearer);
    organizer.ifPresent(admitted -> {
      ctx.put(ORGANIZER, admitted);
      ctx.next();
    });
    return organizer.isPresent();
  }

  /** Admits a valid presenter token; any other token goes on to notPresenter. */
  private void admitPresenter(RoutingContext ctx, String bearer, Handler<RoutingContext> notPresenter) {
    presenters.verify(bearer).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put(PRESENTER, ar.result());
        ctx.next();
      } else if (ar.cause() instanceof ProblemException problem && problem.type() == ProblemType.UNAUTHORIZED) {
        notPresenter.handle(ctx);
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  /** A bearer that is neither a key nor a valid presenter token: an attendee's is known but not enough. */
  private void refuseNonRunner(RoutingContext ctx, String bearer) {
    tokens.verify(bearer).onComplete(ar -> ctx.fail(ar.succeeded()
        ? new ProblemException(ProblemType.FORBIDDEN, "an attendee token cannot run polls or quizzes")
        : new ProblemException(ProblemType.UNAUTHORIZED, "the token is invalid, expired or revoked")));
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
