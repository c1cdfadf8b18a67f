package io.foyer.interactions;

import static io.foyer.interactions.PollFixtures.pick;
import static io.foyer.interactions.PollFixtures.polls;
import static io.foyer.interactions.PollFixtures.singleChoice;
import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.SCOPED_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Polls over HTTP: definitions, lifecycle, who may do what, and ballots, on a real node. */
class PollApiTest {

  private static FoyerApp node;
  private static Api api;
  private static PollFixtures polls;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.start(Map.of("FOYER_LIVE_ENGINE", "memory",
        "FOYER_INTERACTIONS_WORD_CLOUD_BLOCKLIST", "Darn, heck"));
    api = new Api(node.httpPort());
    polls = new PollFixtures(api);
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    await(node.stop());
  }

  @Test
  void anOrganizerRunsAPollFromDraftToClosedAndBack() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject draft = polls.create(eventId, singleChoice(false));
    long pollId = draft.getLong("id");
    assertThat(draft.getString("status")).isEqualTo("draft");

    HttpResponse<Buffer> patched = api.patch(polls(eventId) + "/" + pollId, ADMIN_KEY,
        new JsonObject().put("question", "Which fruit do you like?"));
    assertThat(patched.statusCode()).as(patched.bodyAsString()).isEqualTo(200);
    assertThat(patched.bodyAsJsonObject().getString("question")).isEqualTo("Which fruit do you like?");
    assertProblem(api.patch(polls(eventId) + "/" + pollId, ADMIN_KEY, new JsonObject().put("question", "Changed?")
        .put("maxPicks", 2)), 422, "validation-failed");
    assertThat(api.get(polls(eventId) + "/" + pollId, ADMIN_KEY).bodyAsJsonObject().getString("question"))
        .isEqualTo("Which fruit do you like?");

    assertThat(polls.act(eventId, pollId, "launch").bodyAsJsonObject().getString("status")).isEqualTo("live");
    assertProblem(polls.act(eventId, pollId, "launch"), 409, "poll-not-draft");
    assertProblem(api.patch(polls(eventId) + "/" + pollId, ADMIN_KEY, new JsonObject().put("question", "late")),
        409, "poll-not-draft");
    assertProblem(polls.act(eventId, pollId, "reopen"), 409, "poll-not-closed");
    assertThat(polls.act(eventId, pollId, "close").bodyAsJsonObject().getString("status")).isEqualTo("closed");
    assertProblem(polls.act(eventId, pollId, "close"), 409, "poll-not-live");
    assertThat(polls.act(eventId, pollId, "reopen").bodyAsJsonObject().getString("status")).isEqualTo("live");
    assertThat(polls.act(eventId, pollId, "reveal").bodyAsJsonObject().getBoolean("resultsVisible")).isTrue();
    assertThat(polls.act(eventId, pollId, "hide").bodyAsJsonObject().getBoolean("resultsVisible")).isFalse();

    JsonArray listed = api.get(polls(eventId), ADMIN_KEY).bodyAsJsonObject().getJsonArray("polls");
    assertThat(listed).hasSize(1);
    assertThat(listed.getJsonObject(0).getString("question")).isEqualTo("Which fruit do you like?");
  }

  @Test
  void attendeesMayNotRunPollsAndOtherEventsKeysMayNotEither() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String token = polls.attendees(eventId, 1).get(0);
    long pollId = polls.create(eventId, singleChoice(false)).getLong("id");

    assertProblem(api.post(polls(eventId), token, singleChoice(false)), 403, "forbidden");
    assertProblem(api.patch(polls(eventId) + "/" + pollId, token, new JsonObject().put("question", "x")), 403,
        "forbidden");
    for (String action : List.of("launch", "close", "reopen", "reveal", "hide")) {
      assertProblem(api.post(polls(eventId) + "/" + pollId + "/" + action, token, null), 403, "forbidden");
    }
    assertProblem(api.get(polls(eventId) + "/" + pollId + "/results", token), 403, "forbidden");
    assertProblem(api.post(polls(eventId), SCOPED_KEY, singleChoice(false)), 403, "forbidden");
    assertProblem(api.post(polls(eventId), "not-a-key", singleChoice(false)), 401, "unauthorized");
    // the draft stayed a draft, unchanged, and attendees do not see it
    assertThat(api.get(polls(eventId) + "/" + pollId, ADMIN_KEY).bodyAsJsonObject().getString("status"))
        .isEqualTo("draft");
    assertProblem(api.get(polls(eventId) + "/" + pollId, token), 404, "not-found");
    assertThat(api.get(polls(eventId), token).bodyAsJsonObject().getJsonArray("polls")).isEmpty();
  }

  @Test
  void theEventsPresentersRunItsPollsAndNoOtherPresenterDoes() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long otherEvent = api.createEvent(new JsonObject());
    String presenter = api.issuePresenterToken(eventId, null).getString("token");
    String otherEventsPresenter = api.issuePresenterToken(otherEvent, null).getString("token");
    long sessionId = api.createSession(eventId);
    String sessionPresenter = api.issuePresenterToken(eventId, sessionId).getString("token");

    HttpResponse<Buffer> created = api.post(polls(eventId), presenter, singleChoice(false));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    long pollId = created.bodyAsJsonObject().getLong("id");
    HttpResponse<Buffer> launched = api.post(polls(eventId) + "/" + pollId + "/launch", presenter, null);
    assertThat(launched.bodyAsJsonObject().getString("status")).as(launched.bodyAsString()).isEqualTo("live");
    assertThat(api.get(polls(eventId) + "/" + pollId + "/results", presenter).statusCode()).isEqualTo(200);

    assertProblem(api.post(polls(eventId) + "/" + pollId + "/close", otherEventsPresenter, null), 403, "forbidden");
    // a session's presenter runs that session's polls, and no others
    assertProblem(api.post(polls(eventId) + "/" + pollId + "/close", sessionPresenter, null), 403, "forbidden");
    assertProblem(api.get(polls(eventId) + "/" + pollId + "/results", sessionPresenter), 403, "forbidden");
    assertProblem(api.post(polls(eventId), sessionPresenter, singleChoice(false)), 403, "forbidden");
    HttpResponse<Buffer> sessionPoll = api.post(polls(eventId), sessionPresenter,
        singleChoice(false).put("sessionId", sessionId));
    assertThat(sessionPoll.statusCode()).as(sessionPoll.bodyAsString()).isEqualTo(201);
    long sessionPollId = sessionPoll.bodyAsJsonObject().getLong("id");
    assertProblem(api.patch(polls(eventId) + "/" + sessionPollId, sessionPresenter,
        new JsonObject().put("sessionId", null)), 403, "forbidden");
    assertThat(api.post(polls(eventId) + "/" + sessionPollId + "/launch", sessionPresenter, null)
        .bodyAsJsonObject().getString("status")).isEqualTo("live");
    assertProblem(api.post(polls(eventId), "forged." + presenter, singleChoice(false)), 401, "unauthorized");
    assertThat(api.get(polls(eventId) + "/" + pollId, ADMIN_KEY).bodyAsJsonObject().getString("status"))
        .isEqualTo("live");
  }

  @Test
  void presentersAndOrganizersRunPollsOverTheirSocketAsOverRest() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long sessionId = api.createSession(eventId);
    long pollId = polls.create(eventId, singleChoice(false)).getLong("id");
    String attendee = polls.attendees(eventId, 1).get(0);
    String presenterToken = api.issuePresenterToken(eventId, null).getString("token");
    try (WsClient presenter = WsClient.connect(node.httpPort(), presenterToken);
        WsClient sessionPresenter = WsClient.connect(node.httpPort(),
            api.issuePresenterToken(eventId, sessionId).getString("token"));
        WsClient organizer = WsClient.connect(node.httpPort(), ADMIN_KEY);
        WsClient audience = WsClient.connect(node.httpPort(), attendee)) {
      for (WsClient ws : List.of(presenter, sessionPresenter, organizer, audience)) {
        ws.next("welcome");
      }

      String launch = presenter.send(runPoll(pollId, "launch"));
      JsonObject launched = presenter.next("poll-updated");
      assertThat(launched.getString("re")).isEqualTo(launch);
      assertThat(launched.getJsonObject("poll").getString("status")).isEqualTo("live");

      assertError(audience, audience.send(runPoll(pollId, "close")), "forbidden");
      assertError(sessionPresenter, sessionPresenter.send(runPoll(pollId, "close")), "forbidden");
      assertError(presenter, presenter.send(runPoll(pollId, "explode")), "bad-request");
      assertError(presenter, presenter.send(runPoll(pollId, "launch")), "poll-not-draft");
      assertError(organizer, organizer.send(runPoll(pollId, "close")), "bad-request"); // a key for every event names it
      assertThat(api.get(polls(eventId) + "/" + pollId, ADMIN_KEY).bodyAsJsonObject().getString("status"))
          .isEqualTo("live");

      organizer.send(runPoll(pollId, "close").put("eventId", eventId));
      assertThat(organizer.next("poll-updated").getJsonObject("poll").getString("status")).isEqualTo("closed");
    }
  }

  private static JsonObject runPoll(long pollId, String action) {
    return new JsonObject().put("type", "run-poll").put("pollId", pollId).put("action", action);
  }

  private static void assertError(WsClient ws, String re, String code) throws InterruptedException {
    JsonObject error = ws.next(frame -> "error".equals(frame.getString("type")) && re.equals(frame.getString("re")));
    assertThat(error.getString("code")).as(error.encode()).isEqualTo(code);
  }

  @Test
  void anUnknownPollOrAPollOfAnotherEventIsNotFound() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    long otherEvent = api.createEvent(new JsonObject());
    long pollId = polls.create(otherEvent, singleChoice(false)).getLong("id");

    assertProblem(api.get(polls(eventId) + "/" + pollId, ADMIN_KEY), 404, "not-found");
    assertProblem(polls.act(eventId, pollId, "launch"), 404, "not-found");
    assertProblem(api.patch(polls(eventId) + "/" + pollId, ADMIN_KEY, new JsonObject().put("question", "x")), 404,
        "not-found");
    assertProblem(polls.act(eventId, 999_999, "close"), 404, "not-found");
    assertProblem(api.post(polls(eventId), ADMIN_KEY, singleChoice(false).put("sessionId", 999_999)), 404,
        "not-found");
    assertThat(api.get(polls(otherEvent) + "/" + pollId, ADMIN_KEY).bodyAsJsonObject().getString("status"))
        .isEqualTo("draft");
  }

  @Test
  void badDefinitionsAreRefusedWithTheFieldAndNothingIsStored() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<JsonObject> bad = List.of(
        new JsonObject().put("kind", "quiz").put("question", "?"),
        singleChoice(false).put("question", ""),
        singleChoice(false).put("options", new JsonArray().add(PollFixtures.option("a", "Only one", null))),
        singleChoice(false).put("options", new JsonArray().add(PollFixtures.option("a", "A", null))
            .add(PollFixtures.option("a", "Again", null))),
        singleChoice(false).put("maxPicks", 2),
        singleChoice(false).put("colour", "red"),
        new JsonObject().put("kind", "multiple_choice").put("question", "?").put("maxPicks", 5)
            .put("options", singleChoice(false).getJsonArray("options")),
        new JsonObject().put("kind", "rating").put("question", "?"),
        new JsonObject().put("kind", "rating").put("question", "?").put("scale", new JsonObject().put("min", 5)
            .put("max", 1)),
        new JsonObject().put("kind", "rating").put("question", "?").put("scale", new JsonObject().put("min", 1)
            .put("max", 5).put("labels", new JsonObject().put("9", "Beyond"))),
        new JsonObject().put("kind", "word_cloud").put("question", "?").put("options", new JsonArray()),
        new JsonObject().put("kind", "open_text").put("question", "?").put("maxLength", 100_000),
        singleChoice(false).put("translations", new JsonObject().put("not a language", "x")));
    for (JsonObject definition : bad) {
      HttpResponse<Buffer> refused = api.post(polls(eventId), ADMIN_KEY, definition);
      assertProblem(refused, 422, "validation-failed");
      assertThat(refused.bodyAsJsonObject().getJsonArray("errors")).as(definition.encode()).isNotEmpty();
    }
    HttpResponse<Buffer> blankOption = api.post(polls(eventId), ADMIN_KEY, singleChoice(false).put("options",
        new JsonArray().add(PollFixtures.option("a", " ", null)).add(PollFixtures.option("b", "B", ""))));
    assertThat(blankOption.bodyAsJsonObject().getJsonArray("errors").stream()
        .map(error -> ((JsonObject) error).getString("field")))
        .containsExactlyInAnyOrder("options[0].text", "options[1].translations.fr");
    assertProblem(api.send(io.vertx.core.http.HttpMethod.POST, polls(eventId), ADMIN_KEY, "{not json"), 400,
        "invalid-json");
    assertThat(api.get(polls(eventId), ADMIN_KEY).bodyAsJsonObject().getJsonArray("polls")).isEmpty();
  }

  @Test
  void everyKindRefusesAWrongAnswerAndStoresNothing() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String token = polls.attendees(eventId, 1).get(0);
    JsonArray options = singleChoice(false).getJsonArray("options");
    Map<JsonObject, List<JsonObject>> wrongAnswers = Map.of(
        singleChoice(false), List.of(pick("z"), new JsonObject().put("options", new JsonArray().add("a")),
            new JsonObject()),
        new JsonObject().put("kind", "multiple_choice").put("question", "?").put("options", options)
            .put("maxPicks", 2), List.of(
            new JsonObject().put("options", new JsonArray().add("a").add("b").add("c")),
            new JsonObject().put("options", new JsonArray().add("a").add("a")),
            new JsonObject().put("options", new JsonArray()),
            new JsonObject().put("options", new JsonArray().add("z"))),
        new JsonObject().put("kind", "rating").put("question", "?").put("scale", new JsonObject().put("min", 1)
            .put("max", 5)), List.of(new JsonObject().put("value", 0), new JsonObject().put("value", 6),
            new JsonObject().put("value", 2.5), new JsonObject().put("value", "3")),
        new JsonObject().put("kind", "ranking").put("question", "?").put("options", options), List.of(
            new JsonObject().put("order", new JsonArray().add("a").add("b")),
            new JsonObject().put("order", new JsonArray().add("a").add("b").add("b")),
            new JsonObject().put("order", new JsonArray().add("a").add("b").add("z"))),
        new JsonObject().put("kind", "word_cloud").put("question", "?").put("maxLength", 10), List.of(
            new JsonObject().put("text", "   "), new JsonObject().put("text", "far too long for this"),
            new JsonObject().put("text", "oh  DARN "), new JsonObject().put("text", 42)),
        new JsonObject().put("kind", "open_text").put("question", "?").put("maxLength", 20), List.of(
            new JsonObject().put("text", ""), new JsonObject().put("text", "x".repeat(21)),
            new JsonObject().put("text", "bell\u0007")));
    for (var kind : wrongAnswers.entrySet()) {
      long pollId = polls.live(eventId, kind.getKey());
      for (JsonObject answer : kind.getValue()) {
        HttpResponse<Buffer> refused = polls.vote(eventId, pollId, token, UUID.randomUUID().toString(), answer);
        assertProblem(refused, 422, "validation-failed");
      }
      assertProblem(polls.vote(eventId, pollId, token, "not-a-uuid", pick("a")), 422, "validation-failed");
      assertThat(polls.results(eventId, pollId).getLong("ballots")).as(kind.getKey().encode()).isZero();
      assertThat(polls.act(eventId, pollId, "close").statusCode()).isEqualTo(200);
      assertThat(polls.finalResults(eventId, pollId).getLong("ballots")).isZero();
    }
  }

  @Test
  void everyKindCountsItsAnswersLiveAndInTheFinalResults() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<String> tokens = polls.attendees(eventId, 3);
    JsonArray options = singleChoice(false).getJsonArray("options");

    long ranking = polls.live(eventId, new JsonObject().put("kind", "ranking").put("question", "?")
        .put("options", options));
    vote(eventId, ranking, tokens.get(0), new JsonObject().put("order", new JsonArray().add("b").add("a").add("c")));
    vote(eventId, ranking, tokens.get(1), new JsonObject().put("order", new JsonArray().add("b").add("c").add("a")));
    assertThat(polls.results(eventId, ranking).getJsonObject("counts").getMap())
        .isEqualTo(Map.of("a", 1, "b", 4, "c", 1));

    long words = polls.live(eventId, new JsonObject().put("kind", "word_cloud").put("question", "?"));
    vote(eventId, words, tokens.get(0), new JsonObject().put("text", "  Big   Data "));
    vote(eventId, words, tokens.get(1), new JsonObject().put("text", "big data"));
    vote(eventId, words, tokens.get(2), new JsonObject().put("text", "=cloud"));
    assertThat(polls.results(eventId, words).getJsonObject("counts").getMap())
        .isEqualTo(Map.of("big data", 2, "=cloud", 1));
    polls.act(eventId, words, "close");
    String csv = api.get(polls(eventId) + "/" + words + "/results?format=csv", ADMIN_KEY).bodyAsString();
    assertThat(csv).contains("big data,2").contains("'=cloud,1");

    long rating = polls.live(eventId, new JsonObject().put("kind", "rating").put("question", "?")
        .put("scale", new JsonObject().put("min", 1).put("max", 5).put("labels", new JsonObject().put("5", "Great"))));
    vote(eventId, rating, tokens.get(0), new JsonObject().put("value", 5));
    vote(eventId, rating, tokens.get(1), new JsonObject().put("value", 2));
    JsonObject rated = polls.results(eventId, rating);
    assertThat(rated.getJsonObject("counts").getMap()).isEqualTo(Map.of("1", 0, "2", 1, "3", 0, "4", 0, "5", 1));
    assertThat(rated.getDouble("average")).isEqualTo(3.5);

    long open = polls.live(eventId, new JsonObject().put("kind", "open_text").put("question", "?"));
    vote(eventId, open, tokens.get(0), new JsonObject().put("text", "  More coffee  "));
    polls.act(eventId, open, "close");
    assertThat(polls.finalResults(eventId, open).getJsonArray("texts")).containsExactly("More coffee");
    assertProblem(api.get(polls(eventId) + "/" + rating + "/results?format=csv", ADMIN_KEY), 409, "poll-not-closed");
  }

  @Test
  void aRetryWithTheSameVoteIdAnswersTheSameAndCountsOnce() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String token = polls.attendees(eventId, 1).get(0);
    long pollId = polls.live(eventId, singleChoice(false));
    String voteId = UUID.randomUUID().toString();

    HttpResponse<Buffer> first = polls.vote(eventId, pollId, token, voteId, pick("a"));
    HttpResponse<Buffer> retry = polls.vote(eventId, pollId, token, voteId, pick("a"));

    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(201);
    assertThat(first.bodyAsJsonObject().getString("outcome")).isEqualTo("cast");
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.bodyAsJsonObject().getString("outcome")).isEqualTo("replayed");
    assertThat(retry.bodyAsJsonObject().getJsonObject("answer")).isEqualTo(pick("a"));
    assertThat(polls.results(eventId, pollId).getLong("ballots")).isEqualTo(1);
    assertThat(polls.results(eventId, pollId).getJsonObject("counts").getMap()).isEqualTo(Map.of("a", 1, "b", 0, "c", 0));
  }

  @Test
  void aSecondBallotIsRefusedUnlessThePollAllowsAChange() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String token = polls.attendees(eventId, 1).get(0);
    long fixed = polls.live(eventId, singleChoice(false));
    long changeable = polls.live(eventId, singleChoice(true));

    vote(eventId, fixed, token, pick("a"));
    assertProblem(polls.vote(eventId, fixed, token, UUID.randomUUID().toString(), pick("b")), 409, "already-voted");
    assertThat(polls.results(eventId, fixed).getJsonObject("counts").getMap()).isEqualTo(Map.of("a", 1, "b", 0, "c", 0));

    vote(eventId, changeable, token, pick("a"));
    HttpResponse<Buffer> changed = polls.vote(eventId, changeable, token, UUID.randomUUID().toString(), pick("b"));
    assertThat(changed.bodyAsJsonObject().getString("outcome")).isEqualTo("changed");
    JsonObject results = polls.results(eventId, changeable);
    assertThat(results.getJsonObject("counts").getMap()).isEqualTo(Map.of("a", 0, "b", 1, "c", 0));
    assertThat(results.getLong("ballots")).isEqualTo(1);
  }

  @Test
  void ballotsAreRefusedOnDraftAndClosedPollsAndFromCancelledRegistrations() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<String> tokens = polls.attendees(eventId, 2);
    long draft = polls.create(eventId, singleChoice(false)).getLong("id");
    long closed = polls.live(eventId, singleChoice(false));
    polls.act(eventId, closed, "close");
    long live = polls.live(eventId, singleChoice(false));

    assertProblem(polls.vote(eventId, draft, tokens.get(0), UUID.randomUUID().toString(), pick("a")), 409,
        "poll-not-live");
    assertProblem(polls.vote(eventId, closed, tokens.get(0), UUID.randomUUID().toString(), pick("a")), 409,
        "poll-not-live");
    assertThat(api.delete("/api/events/" + eventId + "/registrations/me", tokens.get(1)).statusCode()).isEqualTo(200);
    assertProblem(polls.vote(eventId, live, tokens.get(1), UUID.randomUUID().toString(), pick("a")), 403,
        "registration-inactive");
    assertProblem(api.post(polls(eventId) + "/" + live + "/ballots", ADMIN_KEY,
        new JsonObject().put("voteId", UUID.randomUUID().toString()).put("answer", pick("a"))), 401, "unauthorized");
    assertThat(polls.results(eventId, live).getLong("ballots")).isZero();
    polls.act(eventId, live, "close");
    assertThat(polls.finalResults(eventId, live).getLong("ballots")).isZero();
    assertThat(polls.finalResults(eventId, closed).getLong("ballots")).isZero();
  }

  @Test
  void anAttendeeReadsPollsInTheirLanguageFallingBackToTheEventsDefault() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    HttpResponse<Buffer> french = api.post("/api/events/" + eventId + "/registrations", null,
        Api.attendee(UUID.randomUUID() + "@example.org").put("language", "fr"));
    String token = french.bodyAsJsonObject().getString("token");
    String englishToken = polls.attendees(eventId, 1).get(0);
    long pollId = polls.live(eventId, singleChoice(false));

    JsonObject seen = api.get(polls(eventId) + "/" + pollId, token).bodyAsJsonObject();
    assertThat(seen.getString("question")).isEqualTo("Quel fruit ?");
    assertThat(seen.getJsonArray("options").stream().map(o -> ((JsonObject) o).getString("text")))
        .containsExactly("Pommes", "Poires", "Plums");
    assertThat(seen.containsKey("translations")).isFalse();
    assertThat(seen.getValue("results")).isNull();
    assertThat(seen.getString("language")).isEqualTo("fr");
    JsonObject english = api.get(polls(eventId), englishToken).bodyAsJsonObject().getJsonArray("polls")
        .getJsonObject(0);
    assertThat(english.getString("question")).isEqualTo("Which fruit?");
    // no German texts: the event's default language, and the poll says so
    JsonObject german = api.get(polls(eventId) + "/" + pollId, polls.attendee(eventId, "de")).bodyAsJsonObject();
    assertThat(german.getString("question")).isEqualTo("Which fruit?");
    assertThat(german.getString("language")).isEqualTo("en");

    vote(eventId, pollId, token, pick("b"));
    polls.act(eventId, pollId, "reveal");
    assertThat(api.get(polls(eventId) + "/" + pollId, token).bodyAsJsonObject().getJsonObject("results")
        .getJsonObject("counts").getLong("b")).isEqualTo(1);
  }

  private void vote(long eventId, long pollId, String token, JsonObject answer) throws Exception {
    HttpResponse<Buffer> voted = polls.vote(eventId, pollId, token, UUID.randomUUID().toString(), answer);
    assertThat(voted.statusCode()).as(voted.bodyAsString()).isEqualTo(201);
  }
}
