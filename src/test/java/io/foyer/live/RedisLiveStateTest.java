package io.foyer.live;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.foyer.live.LiveState.HistoryEntry;
import io.foyer.live.LiveState.HistorySlice;
import io.foyer.live.LiveState.ScoredMember;
import io.foyer.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisLiveStateTest extends LiveStateContract {

  private static final Duration HOUR = Duration.ofHours(1);

  /** Keeps this run's keys apart from other runs and from production keys on a shared server. */
  private final String prefix = TestServices.unique("foyer-test") + ":";
  private Redis raw;

  @Override
  protected Future<? extends LiveState> newEngine(Vertx vertx) {
    return RedisLiveState.connect(vertx, TestServices.redisUrl(), 8, prefix);
  }

  @BeforeAll
  void openRawClient() {
    raw = Redis.createClient(vertx, TestServices.redisUrl());
  }

  @AfterAll
  void removeKeysAndCloseRawClient() {
    join(deleteMatching("0"));
    join(raw.close());
  }

  @Test
  void namesItselfRedis() {
    assertThat(live.engineName()).isEqualTo("redis");
  }

  @Test
  void keysLiveUnderThePrefixAndATopicOwnsItsSequenceKey() {
    String counter = TestServices.unique("counter");
    String topic = TestServices.unique("topic");
    join(live.increment(counter, 1));
    join(live.append(topic, "m", 10, HOUR));

    assertThat(exists(prefix + "{" + counter + "}")).isTrue();
    assertThat(exists(prefix + "{" + topic + "}")).isTrue();
    assertThat(exists(prefix + "{" + topic + "}:seq")).isTrue();

    join(live.delete(topic));
    assertThat(exists(prefix + "{" + topic + "}")).isFalse();
    assertThat(exists(prefix + "{" + topic + "}:seq")).isFalse();
  }

  @Test
  void sequencesNeverRepeatAfterTheStreamAloneIsLost() {
    String topic = TestServices.unique("topic");
    appendAll(topic, 3, 10, HOUR);
    join(raw.send(Request.cmd(Command.DEL).arg(prefix + "{" + topic + "}")));

    assertThat(join(live.append(topic, "m4", 10, HOUR))).isEqualTo(4);
    assertThat(join(live.readSince(topic, 0, HOUR)).complete()).isFalse();
    assertThat(join(live.readSince(topic, 3, HOUR)).entries()).extracting(HistoryEntry::payload)
        .containsExactly("m4");
  }

  @Test
  void sequencesCarryOnAfterTheSequenceKeyAloneIsLost() {
    String topic = TestServices.unique("topic");
    appendAll(topic, 3, 10, HOUR);
    join(raw.send(Request.cmd(Command.DEL).arg(prefix + "{" + topic + "}:seq")));

    assertThat(join(live.append(topic, "m4", 10, HOUR))).isEqualTo(4);
    assertThat(join(live.lastSequence(topic))).isEqualTo(4);
  }

  @Test
  void anIdleTopicsStreamExpiresButItsSequenceStays() {
    String topic = TestServices.unique("topic");
    join(live.append(topic, "m1", 10, Duration.ofMillis(200)));

    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20))
        .until(() -> !exists(prefix + "{" + topic + "}"));
    assertThat(join(live.lastSequence(topic))).isEqualTo(1);
    assertThat(join(live.append(topic, "m2", 10, HOUR))).isEqualTo(2);
  }

  @Test
  void appendsFromSeveralNodesShareOneGaplessSequence() {
    LiveState otherNode = join(newEngine(vertx));
    try {
      String topic = TestServices.unique("topic");

      List<Long> sequences = join(onEveryEventLoop(40, i -> (i % 2 == 0 ? live : otherNode).append(topic,
          "m" + i, 1000, HOUR)));

      assertThat(sequences).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
      assertThat(join(otherNode.readSince(topic, 0, HOUR)).entries()).hasSize(200);
    } finally {
      join(otherNode.close());
    }
  }

  @Test
  void scriptsAreSentAgainAfterTheServerForgotThem() {
    String topic = TestServices.unique("topic");
    appendAll(topic, 1, 10, HOUR);
    join(raw.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));

    appendAll(topic, 1, 10, HOUR);
    assertThat(join(live.readSince(topic, 0, HOUR)).entries()).hasSize(2);
  }

  @Test
  void repliesParseUnderResp2Too() {
    RedisOptions options = new RedisOptions().setConnectionString(TestServices.redisUrl())
        .setPreferredProtocolVersion(ProtocolVersion.RESP2);
    LiveState resp2 = join(RedisLiveState.connect(vertx, options, prefix));
    try {
      String hash = TestServices.unique("tally");
      String board = TestServices.unique("board");
      String topic = TestServices.unique("topic");
      join(resp2.hashIncrement(hash, "a", 2));
      join(resp2.hashIncrement(hash, "b", 3));
      join(resp2.sortedSetIncrement(board, "x", 1.5));
      assertThat(join(resp2.sortedSetIncrement(board, "y", 2.25))).isEqualTo(2.25);
      join(resp2.append(topic, "m1", 10, HOUR));

      assertThat(join(resp2.hashCounters(hash))).isEqualTo(Map.of("a", 2L, "b", 3L));
      assertThat(join(resp2.sortedSetTop(board, 0, -1)))
          .containsExactly(new ScoredMember("y", 2.25), new ScoredMember("x", 1.5));
      HistorySlice slice = join(resp2.readSince(topic, 0, HOUR));
      assertThat(slice.complete()).isTrue();
      assertThat(slice.entries()).extracting(HistoryEntry::payload).containsExactly("m1");
    } finally {
      join(resp2.close());
    }
  }

  private boolean exists(String key) {
    return join(raw.send(Request.cmd(Command.EXISTS).arg(key))).toLong() == 1;
  }

  /** SCAN from cursor, deleting this run's keys, until the scan wraps around. */
  private Future<Void> deleteMatching(String cursor) {
    return raw.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*").arg("COUNT").arg(1000))
        .compose(page -> deletePage(page.get(1)).compose(ignored -> {
          String next = page.get(0).toString();
          return next.equals("0") ? Future.succeededFuture() : deleteMatching(next);
        }));
  }

  private Future<Void> deletePage(Response keys) {
    if (keys.size() == 0) {
      return Future.succeededFuture();
    }
    Request del = Request.cmd(Command.DEL);
    List<String> names = new ArrayList<>();
    keys.forEach(key -> names.add(key.toString()));
    names.forEach(del::arg);
    return raw.send(del).mapEmpty();
  }
}
