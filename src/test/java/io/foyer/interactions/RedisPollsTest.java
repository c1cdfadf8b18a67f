package io.foyer.interactions;

import static io.foyer.interactions.PollFixtures.pick;
import static io.foyer.interactions.PollFixtures.singleChoice;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Polls on the Redis engine, as every node of a cluster runs them. */
class RedisPollsTest extends PollsContract {

  private static final List<String> OPTIONS = List.of("a", "b", "c");

  @Override
  protected Map<String, String> engine() {
    return Map.of("FOYER_REDIS_URL", TestServices.redisUrl());
  }

  /**
   * Two nodes share the tally: 200 attendees vote at once, each ballot through either node, 60 of them change
   * their vote through the other node while the first is on its way. Both nodes then report the same live
   * counts, and those are the ballots stored.
   */
  @Test
  void twoNodesSharingRedisAgreeOnTheTallyAndItEqualsTheStoredBallots() throws Exception {
    long eventId = api.createEvent(new JsonObject());
    List<String> tokens = polls.attendees(eventId, 200);
    long pollId = polls.live(eventId, singleChoice(true));
    FoyerApp second = TestNodes.start(engine());
    Api secondApi = new Api(second.httpPort());
    try {
      PollFixtures[] nodes = {polls, new PollFixtures(secondApi)};
      Random random = new Random(12);
      List<Future<HttpResponse<Buffer>>> ballots = new ArrayList<>();
      for (int i = 0; i < tokens.size(); i++) {
        ballots.add(nodes[i % 2].voteAsync(eventId, pollId, tokens.get(i), UUID.randomUUID().toString(),
            pick(OPTIONS.get(random.nextInt(OPTIONS.size())))));
        if (i < 60) {
          ballots.add(nodes[(i + 1) % 2].voteAsync(eventId, pollId, tokens.get(i), UUID.randomUUID().toString(),
              pick(OPTIONS.get(random.nextInt(OPTIONS.size())))));
        }
      }
      for (Future<HttpResponse<Buffer>> ballot : ballots) {
        HttpResponse<Buffer> answered = await(ballot);
        assertThat(answered.statusCode()).as(answered.bodyAsString()).isIn(200, 201);
      }

      JsonObject onFirst = nodes[0].results(eventId, pollId);
      JsonObject onSecond = nodes[1].results(eventId, pollId);
      assertThat(nodes[1].act(eventId, pollId, "close").statusCode()).isEqualTo(200);
      JsonObject stored = polls.finalResults(eventId, pollId);

      assertThat(onFirst.getLong("ballots")).isEqualTo(200);
      assertThat(onSecond.getJsonObject("counts")).isEqualTo(onFirst.getJsonObject("counts"));
      assertThat(stored.getJsonObject("counts")).isEqualTo(onFirst.getJsonObject("counts"));
    } finally {
      secondApi.close();
      await(second.stop());
    }
  }
}
