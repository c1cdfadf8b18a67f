package io.foyer.interactions;

import io.foyer.auth.Attendee;
import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Runner;
import io.foyer.bus.Bus;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.interactions.InteractionMessages.Action;
import io.foyer.interactions.InteractionMessages.CreatePoll;
import io.foyer.interactions.InteractionMessages.Export;
import io.foyer.interactions.InteractionMessages.Exported;
import io.foyer.interactions.InteractionMessages.ListPolls;
import io.foyer.interactions.InteractionMessages.OfPoll;
import io.foyer.interactions.InteractionMessages.ResultsQuery;
import io.foyer.interactions.InteractionMessages.Run;
import io.foyer.interactions.InteractionMessages.UpdatePoll;
import io.foyer.interactions.InteractionMessages.Vote;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * The HTTP face of interactions: organizers run polls, attendees read them (in their language) and vote. What
 * a poll or a ballot means is decided by {@link InteractionsVerticle}.
 */
public final class InteractionRoutes implements ApiRoutes {

  private final AuthHandlers auth;

  public InteractionRoutes(AuthHandlers auth) {
    this.auth = auth;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    String base = "/events/:eventId/polls";
    String one = base + "/:pollId";
    api.post(base).handler(auth.runnerOrAttendee()).handler(this::create);
    api.get(base).handler(auth.runnerOrAttendee()).handler(this::list);
    api.get(one).handler(auth.runnerOrAttendee()).handler(this::one);
    api.patch(one).handler(auth.runnerOrAttendee()).handler(this::update);
    api.get(one + "/results").handler(auth.runnerOrAttendee()).handler(this::results);
    api.post(one + "/ballots").handler(auth.attendee()).handler(this::vote);
    api.post(one + "/:action").handler(auth.runnerOrAttendee()).handler(this::run);
  }

  /**
   * Who may run the interactions of an event (create, change, launch, close polls, see live results): the
   * organizers whose key covers the event and the event's presenters; a presenter scoped to one session only
   * for that session's polls, which the verticle checks once it has read the poll.
   */
  static Runner runnerOf(RoutingContext ctx, long eventId) {
    if (AuthHandlers.attendee(ctx) != null) {
      throw new ProblemException(ProblemType.FORBIDDEN,
          "only the event's organizers and presenters may run its polls and quizzes");
    }
    return AuthHandlers.runnerOfEvent(ctx, eventId);
  }

  private void create(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Runner runner = runnerOf(ctx, eventId);
    JsonObject body = RequestBodies.jsonObject(ctx);
    answerCreated(ctx, ask(ctx, InteractionMessages.CREATE, new CreatePoll(eventId, body, runner)));
  }

  private void list(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    answerJson(ctx, ask(ctx, InteractionMessages.LIST, new ListPolls(eventId, attendeeOrRunner(ctx, eventId))));
  }

  private void one(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    UUID attendee = attendeeOrRunner(ctx, eventId);
    answerJson(ctx, ask(ctx, InteractionMessages.GET, new OfPoll(eventId, RequestBodies.idParam(ctx, "pollId"),
        attendee)));
  }

  private void update(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Runner runner = runnerOf(ctx, eventId);
    long pollId = RequestBodies.idParam(ctx, "pollId");
    answerJson(ctx, ask(ctx, InteractionMessages.UPDATE,
        new UpdatePoll(eventId, pollId, RequestBodies.jsonObject(ctx), runner)));
  }

  private void run(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Action action = Action.named(ctx.pathParam("action"));
    if (action == null) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no such path; a poll can be "
          + Action.names());
    }
    Runner runner = runnerOf(ctx, eventId);
    answerJson(ctx, ask(ctx, InteractionMessages.RUN,
        new Run(eventId, RequestBodies.idParam(ctx, "pollId"), action, runner)));
  }

  /** Without format: the results now (live or final); with format=json or csv, the final results as a file. */
  private void results(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Long onlySession = runnerOf(ctx, eventId).onlySession();
    long pollId = RequestBodies.idParam(ctx, "pollId");
    String format = ctx.request().getParam("format");
    if (format == null) {
      answerJson(ctx, ask(ctx, InteractionMessages.RESULTS, new ResultsQuery(eventId, pollId, onlySession)));
      return;
    }
    if (!format.equals("csv") && !format.equals("json")) {
      throw new ProblemException(ProblemType.BAD_REQUEST, "format must be csv or json");
    }
    Export export = new Export(eventId, pollId, format.equals("csv"), onlySession);
    InteractionRoutes.<Exported>ask(ctx, InteractionMessages.EXPORT, export)
        .onComplete(Replies.to(ctx, exported -> ctx.response().putHeader("Content-Type", exported.contentType())
            .putHeader("Content-Disposition", "attachment; filename=\"poll-" + pollId + "-results." + format + "\"")
            .end(exported.body())));
  }

  private void vote(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Attendee attendee = AuthHandlers.attendeeOf(ctx, eventId);
    long pollId = RequestBodies.idParam(ctx, "pollId");
    JsonObject body = RequestBodies.jsonObject(ctx);
    InteractionRoutes.<JsonObject>ask(ctx, InteractionMessages.VOTE,
            new Vote(eventId, attendee.registrationId(), pollId, body.getValue("voteId"), body.getValue("answer")))
        .onComplete(Replies.to(ctx, ballot -> ctx.response()
            .setStatusCode("cast".equals(ballot.getString("outcome")) ? 201 : 200)
            .putHeader("Content-Type", "application/json").end(ballot.encode())));
  }

  /** The attendee's registration for an attendee (who sees the audience's view); null for those who run polls. */
  static UUID attendeeOrRunner(RoutingContext ctx, long eventId) {
    if (AuthHandlers.attendee(ctx) != null) {
      return AuthHandlers.attendeeOf(ctx, eventId).registrationId();
    }
    runnerOf(ctx, eventId);
    return null;
  }

  static <R> Future<R> ask(RoutingContext ctx, String address, Object request) {
    return Bus.request(ctx.vertx(), address, request);
  }

  /** 201 with what was created (a poll, a quiz) and its Location. */
  static void answerCreated(RoutingContext ctx, Future<JsonObject> created) {
    created.onComplete(Replies.to(ctx, json -> ctx.response().setStatusCode(201)
        .putHeader("Location", ctx.request().path() + "/" + json.getLong("id"))
        .putHeader("Content-Type", "application/json").end(json.encode())));
  }

  static void answerJson(RoutingContext ctx, Future<JsonObject> answer) {
    answer.onComplete(Replies.to(ctx, ctx::json));
  }
}
