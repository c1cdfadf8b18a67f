package io.foyer.interactions;

import static io.foyer.interactions.PollFixtures.pick;
import static io.foyer.interactions.PollFixtures.singleChoice;
import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Ballots, tallies and result pushes over real sockets, on a real node; run once per LiveState engine. */
abstract class PollsContract extends NodeContract {

  private static final List<String> OPTIONS = List.of("a", "b", "c");

  @Test
  void aVoteOverTheWebSocketIsAnsweredOnceDurableAndARetryChangesNothing() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String token = polls.attendees(eventId, 1).get(0);
    long pollId = polls.live(eventId, singleChoice(false));
    WsClient ws = socket(token);
    String voteId = UUID.randomUUID().toString();

    JsonObject voted = request(ws, vote(pollId, voteId, pick("b")));
    JsonObject replayed = request(ws, vote(pollId, voteId, pick("b")));
    JsonObject second = request(ws, vote(pollId, UUID.randomUUID().toString(), pick("c")));
    JsonObject wrong = request(ws, vote(pollId, UUID.randomUUID().toString(), pick("z")));
    JsonObject unknown = request(ws, vote(999_999, UUID.randomUUID().toString(), pick("a")));
    JsonObject noPoll = request(ws, new JsonObject().put("type", "vote").put("pollId", "x"));

    assertThat(voted.getString("type")).isEqualTo("voted");
    assertThat(voted.getString("outcome")).isEqualTo("cast");
    assertThat(voted.getLong("pollId")).isEqualTo(pollId);
    assertThat(voted.getString("voteId")).isEqualTo(voteId);
    assertThat(replayed.getString("outcome")).isEqualTo("replayed");
    assertThat(second.getString("code")).isEqualTo("already-voted");
    assertThat(wrong.getString("code")).isEqualTo("validation-failed");
    assertThat(unknown.getString("code")).isEqualTo("not-found");
    assertThat(noPoll.getString("code")).isEqualTo("bad-request");
    JsonObject results = polls.results(eventId, pollId);
    assertThat(results.getLong("ballots")).isEqualTo(1);
    assertThat(results.getJsonObject("counts").getMap()).isEqualTo(Map.of("a", 0, "b", 1, "c", 0));

    WsClient organizer = socket(ADMIN_KEY);
    assertThat(request(organizer, vote(pollId, UUID.randomUUID().toString(), pick("a"))).getString("code"))
        .isEqualTo("forbidden");
  }

  /**
   * 200 attendees vote at once; 50 of them send their ballot twice (a retry), 50 others change their vote while
   * the first is still on its way. Every option's live tally must equal the ballots stored for it.
   */
  @Test
  void theLiveTallyEqualsTheStoredBallotsUnderConcurrentVotesRetriesAndChanges() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<String> tokens = polls.attendees(eventId, 200);
    long pollId = polls.live(eventId, singleChoice(true));
    Random random = new Random(9);
    List<Future<HttpResponse<Buffer>>> ballots = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      String voteId = UUID.randomUUID().toString();
      JsonObject answer = pick(OPTIONS.get(random.nextInt(OPTIONS.size())));
      ballots.add(polls.voteAsync(eventId, pollId, tokens.get(i), voteId, answer));
      if (i < 50) {
        ballots.add(polls.voteAsync(eventId, pollId, tokens.get(i), voteId, answer));
      } else if (i < 100) {
        ballots.add(polls.voteAsync(eventId, pollId, tokens.get(i), UUID.randomUUID().toString(),
            pick(OPTIONS.get(random.nextInt(OPTIONS.size())))));
      }
    }
    for (Future<HttpResponse<Buffer>> ballot : ballots) {
      HttpResponse<Buffer> answered = await(ballot);
      assertThat(answered.statusCode()).as(answered.bodyAsString()).isIn(200, 201);
    }

    JsonObject live = polls.results(eventId, pollId);
    assertThat(polls.act(eventId, pollId, "close").statusCode()).isEqualTo(200);
    JsonObject stored = polls.finalResults(eventId, pollId);

    assertThat(stored.getLong("ballots")).isEqualTo(200);
    assertThat(live.getLong("ballots")).isEqualTo(200);
    assertThat(live.getJsonObject("counts")).isEqualTo(stored.getJsonObject("counts"));
    assertThat(stored.getJsonObject("counts").getMap().values().stream().mapToLong(n -> ((Number) n).longValue())
        .sum()).isEqualTo(200);
  }

  /**
   * One launch, pushed once: a French attendee receives it in French, a German one (no German texts) in the
   * event's default language, the organizer with every translation; replayed after a reconnect, it is French
   * again.
   */
  @Test
  void eachSocketReceivesAPollInItsAttendeesLanguageAndOrganizersEveryTranslation() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    String frenchToken = polls.attendee(eventId, "fr");
    WsClient french = socket(frenchToken);
    WsClient german = socket(polls.attendee(eventId, "de"));
    WsClient organizer = socket(ADMIN_KEY);
    long before = french.subscribe("event:" + eventId, null).getLong("seq");
    german.subscribe("event:" + eventId, null);
    organizer.subscribe("event:" + eventId, null);

    polls.live(eventId, singleChoice(false));

    JsonObject inFrench = pushedPoll(french);
    assertThat(inFrench.getString("question")).isEqualTo("Quel fruit ?");
    assertThat(optionTexts(inFrench)).containsExactly("Pommes", "Poires", "Plums");
    assertThat(inFrench.getString("language")).isEqualTo("fr");
    assertThat(inFrench.containsKey("translations")).isFalse();
    JsonObject inGerman = pushedPoll(german);
    assertThat(inGerman.getString("question")).isEqualTo("Which fruit?");
    assertThat(optionTexts(inGerman)).containsExactly("Apples", "Pears", "Plums");
    assertThat(inGerman.getString("language")).isEqualTo("en");
    JsonObject everyLanguage = pushedPoll(organizer);
    assertThat(everyLanguage.getString("question")).isEqualTo("Which fruit?");
    assertThat(everyLanguage.getJsonObject("translations").getString("fr")).isEqualTo("Quel fruit ?");
    assertThat(everyLanguage.getJsonArray("options").getJsonObject(0).getJsonObject("translations").getString("fr"))
        .isEqualTo("Pommes");

    french.close();
    WsClient back = socket(frenchToken);
    back.subscribe("event:" + eventId, before);
    assertThat(pushedPoll(back).getString("question")).isEqualTo("Quel fruit ?");
  }

  private static JsonObject pushedPoll(WsClient ws) throws InterruptedException {
    return ws.next(frame -> "poll".equals(frame.getString("kind"))).getJsonObject("data").getJsonObject("poll");
  }

  private static List<String> optionTexts(JsonObject poll) {
    return poll.getJsonArray("options").stream().map(option -> ((JsonObject) option).getString("text")).toList();
  }

  @Test
  void launchRevealAndCloseArePushedAndResultsAtAFewPerSecondWhateverTheVoteRate() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<String> tokens = polls.attendees(eventId, 30);
    WsClient audience = socket(tokens.get(0));
    assertThat(audience.subscribe("event:" + eventId, null).getString("type")).isEqualTo("subscribed");
    long pollId = polls.live(eventId, singleChoice(true));
    JsonObject launched = audience.next(frame -> "poll".equals(frame.getString("kind")));
    assertThat(launched.getJsonObject("data").getJsonObject("poll").getString("status")).isEqualTo("live");
    // a ballot while results are hidden; revealing them pushes them with the poll
    polls.vote(eventId, pollId, tokens.get(1), UUID.randomUUID().toString(), pick("a"));
    polls.act(eventId, pollId, "reveal");
    JsonObject revealed = audience.next(frame -> "poll".equals(frame.getString("kind")));
    assertThat(revealed.getJsonObject("data").getJsonObject("results").getLong("ballots")).isEqualTo(1);

    // about 300 ballots spread over one second
    Random random = new Random(4);
    List<Future<HttpResponse<Buffer>>> ballots = new ArrayList<>();
    long start = System.nanoTime();
    for (int tick = 0; tick < 50; tick++) {
      for (int i = 0; i < 6; i++) {
        String token = tokens.get(1 + random.nextInt(tokens.size() - 1));
        ballots.add(polls.voteAsync(eventId, pollId, token, UUID.randomUUID().toString(),
            pick(OPTIONS.get(random.nextInt(OPTIONS.size())))));
      }
      Thread.sleep(Math.max(0, (tick + 1) * 20 - (System.nanoTime() - start) / 1_000_000));
    }
    long burstMillis = (System.nanoTime() - start) / 1_000_000;
    for (Future<HttpResponse<Buffer>> ballot : ballots) {
      await(ballot);
    }
    JsonObject finalCount = polls.results(eventId, pollId);
    // the last push carries every ballot: the coalesced pushes lose none
    Map<String, Object> wanted = finalCount.getJsonObject("counts").getMap();
    List<JsonObject> pushes = new ArrayList<>();
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
      audience.drain().stream().filter(frame -> "poll-results".equals(frame.getString("kind"))).forEach(pushes::add);
      return !pushes.isEmpty() && pushes.get(pushes.size() - 1).getJsonObject("data").getJsonObject("counts")
          .getMap().equals(wanted);
    });
    // one push per 250 ms at most, by the server's clock: never more than 5 within a second, however many
    // ballots (about 300 sent in burstMillis) it had to count
    List<Instant> pushedAt = pushes.stream().map(push -> Instant.parse(push.getString("at"))).toList();
    for (Instant first : pushedAt) {
      assertThat(pushedAt.stream().filter(at -> !at.isBefore(first) && at.isBefore(first.plusSeconds(1))))
          .as("result pushes within a second of %s (%d ballots sent in %d ms)", first, ballots.size(), burstMillis)
          .hasSizeLessThanOrEqualTo(5);
    }
    assertThat(ballots.size()).isGreaterThan(10 * pushes.size());

    polls.act(eventId, pollId, "close");
    JsonObject closed = audience.next(frame -> "poll".equals(frame.getString("kind"))
        && "closed".equals(frame.getJsonObject("data").getJsonObject("poll").getString("status")));
    assertThat(closed.getJsonObject("data").getJsonObject("results").getJsonObject("counts").getMap())
        .isEqualTo(wanted);
  }

  @Test
  void organizersFollowLiveResultsThatTheAudienceDoesNotSee() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<String> tokens = polls.attendees(eventId, 2);
    WsClient organizer = socket(ADMIN_KEY);
    assertThat(organizer.subscribe("results:" + eventId, null).getString("type")).isEqualTo("subscribed");
    WsClient audience = socket(tokens.get(0));
    assertThat(audience.subscribe("results:" + eventId, null).getString("code")).isEqualTo("forbidden");
    assertThat(audience.subscribe("event:" + eventId, null).getString("type")).isEqualTo("subscribed");
    long pollId = polls.live(eventId, singleChoice(false));

    polls.vote(eventId, pollId, tokens.get(1), UUID.randomUUID().toString(), pick("c"));

    JsonObject pushed = organizer.next(frame -> "poll-results".equals(frame.getString("kind")));
    assertThat(pushed.getString("topic")).isEqualTo("results:" + eventId);
    assertThat(pushed.getJsonObject("data").getJsonObject("counts").getMap()).isEqualTo(Map.of("a", 0, "b", 0, "c", 1));
    // the audience's topic got the launch, then nothing about results before a later announcement
    HttpResponse<Buffer> later = api.post("/api/events/" + eventId + "/announcements", ADMIN_KEY,
        new JsonObject().put("body", "after the ballot"));
    assertThat(later.statusCode()).isEqualTo(201);
    audience.next(frame -> "announcement".equals(frame.getString("kind")));
    assertThat(audience.seen()).noneMatch(frame -> "poll-results".equals(frame.getString("kind")));
  }

  @Test
  void aSessionsPollIsPushedToTheSessionsTopic() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    JsonObject event = api.get("/api/events/" + eventId, null).bodyAsJsonObject();
    HttpResponse<Buffer> session = api.post("/api/events/" + eventId + "/sessions", ADMIN_KEY, new JsonObject()
        .put("title", "Keynote").put("startsAt", event.getString("startsAt")).put("endsAt", event.getString("endsAt")));
    assertThat(session.statusCode()).as(session.bodyAsString()).isEqualTo(201);
    long sessionId = session.bodyAsJsonObject().getLong("id");
    WsClient audience = socket(polls.attendees(eventId, 1).get(0));
    assertThat(audience.subscribe("session:" + sessionId, null).getString("type")).isEqualTo("subscribed");

    long pollId = polls.live(eventId, singleChoice(false).put("sessionId", sessionId));

    JsonObject launched = audience.next(frame -> "poll".equals(frame.getString("kind")));
    assertThat(launched.getString("topic")).isEqualTo("session:" + sessionId);
    assertThat(launched.getJsonObject("data").getJsonObject("poll").getLong("id")).isEqualTo(pollId);
    assertThat(launched.getJsonObject("data").getValue("results")).isNull();
  }

  /**
   * A closed poll's tally leaves LiveState soon after the close (min(TTL, 30 s), here the test node's TTL); a
   * reopen counts on from the ballots, new and changed ones alike, and closing again stores what was counted.
   */
  @Test
  void aClosedPollsTallyLeavesLiveStateAndAReopenCountsOnFromItsBallots() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<String> tokens = polls.attendees(eventId, 4);
    long pollId = livePollVotedFor(eventId, tokens, true, "a", "b", "b");
    assertThat(tallyKeysHeld(pollId)).as("tally of the live poll").isTrue();

    assertThat(polls.act(eventId, pollId, "close").statusCode()).isEqualTo(200);
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> !tallyKeysHeld(pollId));
    assertThat(polls.results(eventId, pollId).getJsonObject("counts").getMap())
        .as("results of the closed poll, with its tally gone").isEqualTo(Map.of("a", 1, "b", 2, "c", 0));

    assertThat(polls.act(eventId, pollId, "reopen").statusCode()).isEqualTo(200);
    assertThat(tallyKeysHeld(pollId)).as("tally set again on reopen").isTrue();
    polls.vote(eventId, pollId, tokens.get(3), UUID.randomUUID().toString(), pick("c"));
    polls.vote(eventId, pollId, tokens.get(0), UUID.randomUUID().toString(), pick("c")); // a changed vote
    JsonObject live = polls.results(eventId, pollId);

    assertThat(live.getLong("ballots")).isEqualTo(4);
    assertThat(live.getJsonObject("counts").getMap()).isEqualTo(Map.of("a", 0, "b", 2, "c", 2));
    assertThat(polls.act(eventId, pollId, "close").statusCode()).isEqualTo(200);
    JsonObject stored = polls.finalResults(eventId, pollId);
    assertThat(stored.getJsonObject("counts")).isEqualTo(live.getJsonObject("counts"));
    assertThat(stored.getLong("ballots")).isEqualTo(4);
  }

  /** Every write sets the tally to expire, but a live poll's is kept however long it goes without a vote. */
  @Test
  void aLivePollsTallyOutlivesTheTtlWithoutVotes() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<String> tokens = polls.attendees(eventId, 2);
    long pollId = livePollVotedFor(eventId, tokens, false, "b");

    Thread.sleep(LIVE_STATE_TTL.multipliedBy(3).toMillis());
    polls.vote(eventId, pollId, tokens.get(1), UUID.randomUUID().toString(), pick("b"));

    JsonObject live = polls.results(eventId, pollId);
    assertThat(live.getLong("ballots")).isEqualTo(2);
    assertThat(live.getJsonObject("counts").getMap()).isEqualTo(Map.of("a", 0, "b", 2, "c", 0));
  }

  /** A live single-choice poll, in which the first attendees voted for the options given, one each. */
  private long livePollVotedFor(long eventId, List<String> tokens, boolean allowChange, String... options)
      throws Exception {
    long pollId = polls.live(eventId, singleChoice(allowChange));
    for (int i = 0; i < options.length; i++) {
      HttpResponse<Buffer> voted = polls.vote(eventId, pollId, tokens.get(i), UUID.randomUUID().toString(),
          pick(options[i]));
      assertThat(voted.statusCode()).as(voted.bodyAsString()).isIn(200, 201);
    }
    return pollId;
  }

  /** Whether LiveState holds either key of the poll's tally. */
  private boolean tallyKeysHeld(long pollId) throws Exception {
    return !await(node.live().hashCounters(Tallies.tallyKey(pollId))).isEmpty()
        || !await(node.live().hashCounters(Tallies.countKey(pollId))).isEmpty();
  }

  private static JsonObject vote(long pollId, String voteId, JsonObject answer) {
    return new JsonObject().put("type", "vote").put("pollId", pollId).put("voteId", voteId).put("answer", answer);
  }

  private static JsonObject request(WsClient ws, JsonObject request) throws InterruptedException {
    String id = ws.send(request);
    return ws.next(frame -> id.equals(frame.getString("re")));
  }
}
