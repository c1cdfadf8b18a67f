package io.foyer.interactions;

import static io.foyer.interactions.InteractionRoutes.answerJson;
import static io.foyer.interactions.InteractionRoutes.ask;

import io.foyer.auth.Attendee;
import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Runner;
import io.foyer.http.Replies;
import io.foyer.http.RequestBodies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.interactions.InteractionMessages.CreateQuiz;
import io.foyer.interactions.InteractionMessages.ListQuizzes;
import io.foyer.interactions.InteractionMessages.OfQuiz;
import io.foyer.interactions.InteractionMessages.QuizAction;
import io.foyer.interactions.InteractionMessages.QuizAnswer;
import io.foyer.interactions.InteractionMessages.RunQuiz;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP face of quizzes: organizers and presenters create and run them, attendees read the current question
 * and their standing, and answer (the REST fallback of the WebSocket's answer). What a quiz or an answer means is
 * decided by {@link Quizzes}.
 */
public final class QuizRoutes implements ApiRoutes {

  private final AuthHandlers auth;

  public QuizRoutes(AuthHandlers auth) {
    this.auth = auth;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    String base = "/events/:eventId/quizzes";
    String one = base + "/:quizId";
    api.post(base).handler(auth.runnerOrAttendee()).handler(this::create);
    api.get(base).handler(auth.runnerOrAttendee()).handler(this::list);
    api.get(one).handler(auth.runnerOrAttendee()).handler(this::one);
    api.post(one + "/questions/:position/answers").handler(auth.attendee()).handler(this::answer);
    api.post(one + "/:action").handler(auth.runnerOrAttendee()).handler(this::run);
  }

  private void create(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Runner runner = InteractionRoutes.runnerOf(ctx, eventId);
    JsonObject body = RequestBodies.jsonObject(ctx);
    InteractionRoutes.answerCreated(ctx, ask(ctx, InteractionMessages.QUIZ_CREATE,
        new CreateQuiz(eventId, body, runner)));
  }

  private void list(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    answerJson(ctx, ask(ctx, InteractionMessages.QUIZ_LIST,
        new ListQuizzes(eventId, InteractionRoutes.attendeeOrRunner(ctx, eventId))));
  }

  private void one(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    answerJson(ctx, ask(ctx, InteractionMessages.QUIZ_GET, new OfQuiz(eventId, RequestBodies.idParam(ctx, "quizId"),
        InteractionRoutes.attendeeOrRunner(ctx, eventId))));
  }

  private void run(RoutingContext ctx) {
    long eventId = RequestBodies.idParam(ctx, "eventId");
    QuizAction action = QuizAction.named(ctx.pathParam("action"));
    if (action == null) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no such path; a quiz can be " + QuizAction.names());
    }
    Runner runner = InteractionRoutes.runnerOf(ctx, eventId);
    answerJson(ctx, ask(ctx, InteractionMessages.QUIZ_RUN,
        new RunQuiz(eventId, RequestBodies.idParam(ctx, "quizId"), action, runner)));
  }

  private void answer(RoutingContext ctx) {
    // the answer's time is taken as it arrives, before anything else is done with it
    long receivedAt = System.currentTimeMillis();
    long eventId = RequestBodies.idParam(ctx, "eventId");
    Attendee attendee = AuthHandlers.attendeeOf(ctx, eventId);
    JsonObject body = RequestBodies.jsonObject(ctx);
    QuizAnswer answer = new QuizAnswer(eventId, attendee.registrationId(), RequestBodies.idParam(ctx, "quizId"),
        RequestBodies.idParam(ctx, "position"), body.getValue("answerId"), body.getValue("answer"), receivedAt);
    InteractionRoutes.<JsonObject>ask(ctx, InteractionMessages.QUIZ_ANSWER, answer)
        .onComplete(Replies.to(ctx, answered -> ctx.response()
            .setStatusCode("recorded".equals(answered.getString("outcome")) ? 201 : 200)
            .putHeader("Content-Type", "application/json").end(answered.encode())));
  }
}
