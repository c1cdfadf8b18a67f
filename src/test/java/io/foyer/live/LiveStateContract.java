package io.foyer.live;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.foyer.live.LiveState.HistoryEntry;
import io.foyer.live.LiveState.HistorySlice;
import io.foyer.live.LiveState.ScoredMember;
import io.foyer.testing.TestServices;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The behaviour every {@link LiveState} engine must show; each engine's test class extends this.
 *
 * <p>Step-by-step tests wait for each result with {@link #join}; tests whose outcome arrives on event loops
 * (many concurrent callers) complete a {@link VertxTestContext} instead, which fails them after 10 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = SECONDS)
public abstract class LiveStateContract {

  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration SHORT_TTL = Duration.ofMillis(200);
  /** Long enough to read a key back at once even on a busy machine, short enough to wait out. */
  private static final Duration READABLE_TTL = Duration.ofSeconds(1);
  private static final int EVENT_LOOPS = 5;

  /** One Vert.x for the whole class, closed by {@link VertxExtension} after the last test. */
  protected Vertx vertx;
  protected volatile LiveState live;
  private volatile List<Context> eventLoops;

  /** A fresh engine on vertx; closed after each test. */
  protected abstract Future<? extends LiveState> newEngine(Vertx vertx);

  @BeforeAll
  void startEventLoops(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    List<Context> contexts = new CopyOnWriteArrayList<>();
    // contexts on distinct event-loop threads, so calls from them really run in parallel
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        contexts.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(EVENT_LOOPS)).onComplete(ctx.succeeding(id -> {
      eventLoops = List.copyOf(contexts);
      ctx.completeNow();
    }));
  }

  @BeforeEach
  void openEngine(VertxTestContext ctx) {
    newEngine(vertx).onComplete(ctx.succeeding(engine -> {
      live = engine;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void closeEngine(VertxTestContext ctx) {
    if (live == null) {
      ctx.completeNow();
    } else {
      live.close().onComplete(ctx.succeedingThenComplete());
    }
  }

  @Test
  void countersAddDeltasFromZero() {
    String key = TestServices.unique("counter");

    assertThat(join(live.increment(key, 5))).isEqualTo(5);
    assertThat(join(live.increment(key, -2))).isEqualTo(3);
    assertThat(join(live.counter(key))).isEqualTo(3);
  }

  @Test
  void concurrentIncrementsFromManyContextsLoseNothing(VertxTestContext ctx) {
    String key = TestServices.unique("counter");

    onEveryEventLoop(400, i -> live.increment(key, 1)).onComplete(ctx.succeeding(values ->
        live.counter(key).onComplete(ctx.succeeding(total -> ctx.verify(() -> {
          assertThat(total).isEqualTo(2000);
          // each caller saw a different intermediate value, so no two increments were merged
          assertThat(values).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 2000).boxed().toList());
          ctx.completeNow();
        })))));
  }

  @Test
  void incrementWithExpiryStartsANewWindowAfterTheTtl() {
    String key = TestServices.unique("rate");

    assertThat(join(live.incrementWithExpiry(key, 1, SHORT_TTL))).isEqualTo(1);
    assertThat(join(live.incrementWithExpiry(key, 1, SHORT_TTL))).isEqualTo(2);

    // the polls keep incrementing: a window that every increment extended would never end
    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20))
        .until(() -> join(live.incrementWithExpiry(key, 1, SHORT_TTL)) == 1);
  }

  @Test
  void expiredCountersReadAsZero() {
    String key = TestServices.unique("rate");

    join(live.incrementWithExpiry(key, 7, READABLE_TTL));

    assertThat(join(live.counter(key))).as("counter before its TTL").isEqualTo(7);
    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> join(live.counter(key)) == 0);
  }

  @Test
  void hashIncrementsKeepEachFieldApart() {
    String key = TestServices.unique("tally");

    assertThat(join(live.hashIncrement(key, "yes", 2))).isEqualTo(2);
    assertThat(join(live.hashIncrement(key, "no", -1))).isEqualTo(-1);
    assertThat(join(live.hashIncrement(key, "yes", 1))).isEqualTo(3);
    join(onEveryEventLoop(100, i -> live.hashIncrement(key, i % 2 == 0 ? "even" : "odd", 1)));

    assertThat(join(live.hashCounters(key))).isEqualTo(Map.of("yes", 3L, "no", -1L, "even", 250L, "odd", 250L));
  }

  @Test
  void hashPutSetsAFieldToAnAbsoluteValueThatIncrementsCountOnFrom() {
    String key = TestServices.unique("tally");
    join(live.hashPut(key, "yes", 5)); // creates the hash
    join(live.hashIncrement(key, "no", 4));

    join(live.hashPut(key, "yes", 2)); // replaces, not adds
    join(live.hashPut(key, "no", -3));
    join(live.hashPut(key, "maybe", 0));

    assertThat(join(live.hashCounters(key))).isEqualTo(Map.of("yes", 2L, "no", -3L, "maybe", 0L));
    assertThat(join(live.hashIncrement(key, "yes", 1))).isEqualTo(3);
    assertThat(join(live.hashIncrement(key, "maybe", 10))).isEqualTo(10);
    join(live.hashPut(key, "yes", Long.MAX_VALUE));
    assertThat(join(live.hashCounters(key))).containsEntry("yes", Long.MAX_VALUE);
  }

  @Test
  void hashRemoveDropsOneFieldAndTheHashGoesWithItsLastField() {
    String key = TestServices.unique("tally");
    join(live.hashIncrement(key, "yes", 3));
    join(live.hashPut(key, "no", 2));

    join(live.hashRemove(key, "yes"));
    assertThat(join(live.hashCounters(key))).isEqualTo(Map.of("no", 2L));
    join(live.hashRemove(key, "never-set")); // a field that is not there: nothing happens
    assertThat(join(live.hashCounters(key))).isEqualTo(Map.of("no", 2L));
    assertThat(join(live.hashIncrement(key, "yes", 1))).as("a removed field counts again from 0").isEqualTo(1);

    join(live.hashRemove(key, "yes"));
    join(live.hashRemove(key, "no"));

    assertThat(join(live.hashCounters(key))).isEmpty();
    // gone for good, not an empty hash: the key may now hold another kind, as after a delete
    assertThat(join(live.increment(key, 5))).isEqualTo(5);
    join(live.hashRemove(TestServices.unique("absent"), "f")); // on an absent hash: nothing happens
  }

  @Test
  void hashPutAndRemoveRefuseAKeyOfAnotherKindAndLeaveIt() {
    String counter = TestServices.unique("counter");
    join(live.increment(counter, 4));

    assertThat(failure(live.hashPut(counter, "f", 1))).hasMessageContaining("WRONGTYPE");
    assertThat(failure(live.hashRemove(counter, "f"))).hasMessageContaining("WRONGTYPE");
    assertThat(join(live.counter(counter))).isEqualTo(4);
  }

  @Test
  void concurrentPutsRemovesAndIncrementsOnOneHashLoseNothing(VertxTestContext ctx) {
    String key = TestServices.unique("tally");

    // 500 fields put at once; then half of them removed while five other fields are counted up, all at once
    onEveryEventLoop(100, i -> live.hashPut(key, "put-" + i, i))
        .compose(puts -> onEveryEventLoop(100, i -> i % 2 == 0
            ? live.hashRemove(key, "put-" + i)
            : live.hashIncrement(key, "count-" + i % 5, 1).<Void>mapEmpty()))
        .compose(changes -> live.hashCounters(key))
        .onComplete(ctx.succeeding(fields -> ctx.verify(() -> {
          Map<String, Long> expected = new HashMap<>();
          IntStream.range(0, 500).filter(i -> i % 2 == 1).forEach(i -> expected.put("put-" + i, (long) i));
          IntStream.range(0, 5).forEach(i -> expected.put("count-" + i, 50L));
          assertThat(fields).isEqualTo(expected);
          ctx.completeNow();
        })));
  }

  @Test
  void leaderboardOrdersByScoreDescendingThenMember() {
    String key = TestServices.unique("board");
    join(live.sortedSetIncrement(key, "alice", 5));
    join(live.sortedSetIncrement(key, "bob", 7));
    assertThat(join(live.sortedSetIncrement(key, "carol", 2.5))).isEqualTo(2.5);
    assertThat(join(live.sortedSetIncrement(key, "carol", 2.5))).isEqualTo(5.0);
    join(live.sortedSetIncrement(key, "dave", 7));
    join(live.sortedSetIncrement(key, "erin", 1));

    assertThat(join(live.sortedSetTop(key, 0, -1))).containsExactly(
        new ScoredMember("dave", 7), new ScoredMember("bob", 7), new ScoredMember("carol", 5),
        new ScoredMember("alice", 5), new ScoredMember("erin", 1));
    assertThat(join(live.sortedSetTop(key, 0, 1))).extracting(ScoredMember::member).containsExactly("dave", "bob");
    assertThat(join(live.sortedSetTop(key, -2, -1))).extracting(ScoredMember::member)
        .containsExactly("alice", "erin");
    assertThat(join(live.sortedSetTop(key, 3, 100))).extracting(ScoredMember::member)
        .containsExactly("alice", "erin");
    assertThat(join(live.sortedSetTop(key, 10, 20))).isEmpty();
    assertThat(join(live.sortedSetRank(key, "dave"))).isZero();
    assertThat(join(live.sortedSetRank(key, "alice"))).isEqualTo(3);
    assertThat(join(live.sortedSetRank(key, "erin"))).isEqualTo(4);
    assertThat(join(live.sortedSetRank(key, "nobody"))).isNull();
  }

  @Test
  void leaderboardScoresSetManyAtOnceReplaceWhatTheyWere() {
    String key = TestServices.unique("board");
    join(live.sortedSetIncrement(key, "alice", 5));
    Map<String, Double> scores = new HashMap<>();
    IntStream.range(0, 1200).forEach(i -> scores.put("p" + i, (double) i));
    scores.put("alice", -3.0);

    join(live.sortedSetPut(key, scores));
    join(live.sortedSetPut(key, Map.of("p7", 5000.0)));

    assertThat(join(live.sortedSetTop(key, 0, 2))).containsExactly(new ScoredMember("p7", 5000),
        new ScoredMember("p1199", 1199), new ScoredMember("p1198", 1198));
    assertThat(join(live.sortedSetRank(key, "alice"))).isEqualTo(1200);
    assertThat(join(live.sortedSetTop(key, 0, -1))).hasSize(1201);
    assertThat(join(live.sortedSetIncrement(key, "alice", 4))).isEqualTo(1.0);
  }

  @Test
  void leaderboardTiesCompareMembersByteWiseAsRedisDoes() {
    String key = TestServices.unique("board");
    // UTF-8 puts U+1F600 after U+FFFD; UTF-16 (String.compareTo) puts its surrogates before it
    for (String member : List.of("z", "\uFFFD", "\uD83D\uDE00", "é", "A")) {
      join(live.sortedSetIncrement(key, member, 1));
    }

    assertThat(join(live.sortedSetTop(key, 0, -1))).extracting(ScoredMember::member)
        .containsExactly("\uD83D\uDE00", "\uFFFD", "é", "z", "A");
    assertThat(join(live.sortedSetRank(key, "\uFFFD"))).isEqualTo(1);
  }

  @Test
  void setIfAbsentWinsOnceUntilExpiry() {
    String key = TestServices.unique("dedup");

    assertThat(join(live.setIfAbsent(key, "first", SHORT_TTL))).isTrue();
    assertThat(join(live.setIfAbsent(key, "second", SHORT_TTL))).isFalse();
    assertThat(join(live.get(key))).isEqualTo("first");

    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20))
        .until(() -> join(live.setIfAbsent(key, "later", HOUR)));
    assertThat(join(live.get(key))).isEqualTo("later");
  }

  @Test
  void setIfAbsentHasExactlyOneWinnerAmongConcurrentCallers(VertxTestContext ctx) {
    String key = TestServices.unique("dedup");
    Checkpoint answered = ctx.checkpoint(50);
    // strict checkpoints: a second winner fails the test at once, no winner leaves it unfinished
    Checkpoint won = ctx.checkpoint();
    Checkpoint winnersValueKept = ctx.checkpoint();

    onEveryEventLoop(10, i -> live.setIfAbsent(key, "caller-" + i, HOUR).onComplete(ctx.succeeding(wins -> {
      if (wins) {
        won.flag();
        live.get(key).onComplete(ctx.succeeding(value -> ctx.verify(() -> {
          assertThat(value).isEqualTo("caller-" + i);
          winnersValueKept.flag();
        })));
      }
      answered.flag();
    })));
  }

  @Test
  void putOverwritesAValueAndItExpires() {
    String key = TestServices.unique("flag");

    join(live.put(key, "open", HOUR));
    join(live.put(key, "closed", READABLE_TTL));

    assertThat(join(live.get(key))).isEqualTo("closed");
    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> join(live.get(key)) == null);
  }

  @Test
  void onlyTheHolderRenewsALeaseAndAnExpiredLeaseGoesToTheNextTaker() {
    String key = TestServices.unique("lease");

    assertThat(join(live.renewIfHeld(key, "node-a", HOUR))).as("renewing a lease nobody holds").isFalse();
    assertThat(join(live.get(key))).isNull();
    assertThat(join(live.setIfAbsent(key, "node-a", READABLE_TTL))).isTrue();
    assertThat(join(live.renewIfHeld(key, "node-b", HOUR))).as("another node renewing").isFalse();
    assertThat(join(live.renewIfHeld(key, "node-a", READABLE_TTL))).as("the holder renewing").isTrue();
    assertThat(join(live.setIfAbsent(key, "node-b", HOUR))).as("taking a lease still held").isFalse();

    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20))
        .until(() -> join(live.setIfAbsent(key, "node-b", HOUR)));
    assertThat(join(live.renewIfHeld(key, "node-a", HOUR))).as("the old holder, once its lease went").isFalse();
    assertThat(join(live.get(key))).isEqualTo("node-b");
  }

  @Test
  void expiredValuesReadAsAbsent() {
    String key = TestServices.unique("value");

    join(live.setIfAbsent(key, "v", READABLE_TTL));

    assertThat(join(live.get(key))).as("value before its TTL").isEqualTo("v");
    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> join(live.get(key)) == null);
  }

  @Test
  void expiredKeysCanBeReusedAsAnotherKind() {
    String key = TestServices.unique("reused");
    join(live.setIfAbsent(key, "v", SHORT_TTL));

    // until the value expires the key holds a string, and a hash increment on it fails as in Redis
    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(() -> join(live.hashIncrement(key, "f", 1)) == 1);
    assertThat(join(live.hashCounters(key))).isEqualTo(Map.of("f", 1L));
  }

  @Test
  void hashIncrementWithTtlCountsOnAndTheHashGoesTtlAfterItsLastWrite() {
    String key = TestServices.unique("tally");

    assertThat(join(live.hashIncrement(key, "yes", 2, READABLE_TTL))).isEqualTo(2);
    assertThat(join(live.hashIncrement(key, "yes", 1, READABLE_TTL))).isEqualTo(3);
    assertThat(join(live.hashIncrement(key, "no", 1))).isEqualTo(1); // keeps the TTL, as HINCRBY does

    assertThat(join(live.hashCounters(key))).as("hash before its TTL").isEqualTo(Map.of("yes", 3L, "no", 1L));
    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> join(live.hashCounters(key)).isEmpty());
    // gone, not merely hidden: counting starts again from zero
    assertThat(join(live.hashIncrement(key, "yes", 1, HOUR))).isEqualTo(1);
  }

  @Test
  void eachHashIncrementWithTtlPushesTheExpiryBack() throws InterruptedException {
    String key = TestServices.unique("tally");
    join(live.hashIncrement(key, "yes", 1, SHORT_TTL));

    join(live.hashIncrement(key, "yes", 1, HOUR));
    Thread.sleep(SHORT_TTL.multipliedBy(3).toMillis());

    assertThat(join(live.hashCounters(key))).isEqualTo(Map.of("yes", 2L));
  }

  @Test
  void hashReplaceSetsTheWholeHashWhichCountsOnAndThenExpires() {
    String key = TestServices.unique("tally");
    join(live.hashIncrement(key, "old", 5));

    join(live.hashReplace(key, Map.of("yes", 4L, "no", 2L), READABLE_TTL));
    assertThat(join(live.hashIncrement(key, "yes", 1))).isEqualTo(5);

    assertThat(join(live.hashCounters(key))).as("hash before its TTL").isEqualTo(Map.of("yes", 5L, "no", 2L));
    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> join(live.hashCounters(key)).isEmpty());
  }

  @Test
  void hashReplaceWithNoFieldsLeavesNoKey() {
    String key = TestServices.unique("tally");
    join(live.hashIncrement(key, "old", 5));

    join(live.hashReplace(key, Map.of(), HOUR));

    assertThat(join(live.hashCounters(key))).isEmpty();
    assertThat(join(live.expire(key, HOUR))).as("the key exists").isFalse();
  }

  @Test
  void sortedSetPutWithTtlWritesEveryScoreAndTheSetThenExpires() {
    String key = TestServices.unique("board");
    Map<String, Double> scores = new HashMap<>();
    IntStream.range(0, 1200).forEach(i -> scores.put("p" + i, (double) i));

    join(live.sortedSetPut(key, scores, READABLE_TTL));

    assertThat(join(live.sortedSetRank(key, "p1199"))).as("set before its TTL").isZero();
    assertThat(join(live.sortedSetTop(key, 0, -1))).hasSize(1200);
    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20))
        .until(() -> join(live.sortedSetTop(key, 0, -1)).isEmpty());
    assertThat(join(live.sortedSetRank(key, "p1199"))).isNull();
  }

  @Test
  void expireMakesEveryKindButTopicsGoAndTellsWhetherTheKeyExisted() {
    EveryKind keys = keysOfEveryKind();

    assertThat(join(live.expire(TestServices.unique("absent"), HOUR))).isFalse();
    for (String key : List.of(keys.counter(), keys.hash(), keys.board(), keys.value())) {
      assertThat(join(live.expire(key, READABLE_TTL))).as(key).isTrue();
    }
    assertThat(failure(live.expire(keys.topic(), SHORT_TTL))).hasMessageContaining("WRONGTYPE");

    assertThat(join(live.counter(keys.counter()))).as("counter before its TTL").isEqualTo(3);
    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20))
        .until(() -> join(live.counter(keys.counter())) == 0 && join(live.hashCounters(keys.hash())).isEmpty()
            && join(live.sortedSetRank(keys.board(), "m")) == null && join(live.get(keys.value())) == null);
    assertThat(join(live.lastSequence(keys.topic()))).as("topic untouched").isEqualTo(3);
    assertThat(join(live.readSince(keys.topic(), 0, HOUR)).entries()).hasSize(3);
  }

  @Test
  void expireReplacesAnEarlierTtl() throws InterruptedException {
    String key = TestServices.unique("rate");
    join(live.incrementWithExpiry(key, 1, SHORT_TTL));

    assertThat(join(live.expire(key, HOUR))).isTrue();
    Thread.sleep(SHORT_TTL.multipliedBy(3).toMillis());

    assertThat(join(live.counter(key))).isEqualTo(1);
  }

  @Test
  void topicSequencesStartAtOneAndIncreaseByOne() {
    String topic = TestServices.unique("topic");

    assertThat(join(live.append(topic, "a", 100, HOUR))).isEqualTo(1);
    assertThat(join(live.append(topic, "b", 100, HOUR))).isEqualTo(2);
    assertThat(join(live.append(topic, "c", 100, HOUR))).isEqualTo(3);

    assertThat(join(live.lastSequence(topic))).isEqualTo(3);
  }

  @Test
  void payloadsComeBackVerbatim() {
    String topic = TestServices.unique("topic");
    List<String> payloads = List.of("{\"text\":\"h\\u00e9 \\\"quoted\\\"\"}", "héllo ✓ \uD83C\uDF89", "", "a\nb\r\n");
    payloads.forEach(payload -> join(live.append(topic, payload, 100, HOUR)));

    assertThat(join(live.readSince(topic, 0, HOUR)).entries()).extracting(HistoryEntry::payload)
        .containsExactlyElementsOf(payloads);
  }

  @Test
  void concurrentAppendsGetDistinctGaplessSequences(VertxTestContext ctx) {
    String topic = TestServices.unique("topic");

    onEveryEventLoop(40, i -> live.append(topic, "m" + i, 1000, HOUR)).onComplete(ctx.succeeding(sequences ->
        live.readSince(topic, 0, HOUR).onComplete(ctx.succeeding(slice -> ctx.verify(() -> {
          assertThat(sequences).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
          assertThat(slice.complete()).isTrue();
          assertThat(slice.lastSequence()).isEqualTo(200);
          assertThat(slice.entries()).extracting(HistoryEntry::sequence)
              .containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
          // each message is stored under the very sequence number its append returned
          Map<String, Long> stored = slice.entries().stream()
              .collect(Collectors.toMap(HistoryEntry::payload, HistoryEntry::sequence));
          assertThat(stored).isEqualTo(IntStream.range(0, 200).boxed()
              .collect(Collectors.toMap(i -> "m" + i, sequences::get)));
          ctx.completeNow();
        })))));
  }

  @Test
  void readSinceReturnsExactlyTheMissedMessagesInOrder() {
    String topic = TestServices.unique("topic");
    long before = System.currentTimeMillis();
    appendAll(topic, 10, 100, HOUR);

    HistorySlice slice = join(live.readSince(topic, 6, HOUR));

    assertThat(slice.complete()).isTrue();
    assertThat(slice.lastSequence()).isEqualTo(10);
    assertThat(slice.entries()).extracting(HistoryEntry::sequence).containsExactly(7L, 8L, 9L, 10L);
    assertThat(slice.entries()).extracting(HistoryEntry::payload).containsExactly("m7", "m8", "m9", "m10");
    // generous bounds: the Redis engine stamps with the server's clock
    assertThat(slice.entries()).allSatisfy(entry -> assertThat(entry.timestampMillis())
        .isBetween(before - 60_000, System.currentTimeMillis() + 60_000));
    assertThat(slice.entries()).extracting(HistoryEntry::timestampMillis).isSorted();
  }

  @Test
  void readSinceIsIncompleteWhenTrimmedByCount() {
    String topic = TestServices.unique("topic");
    appendAll(topic, 10, 5, HOUR);

    HistorySlice fromTwo = join(live.readSince(topic, 2, HOUR));
    assertThat(fromTwo.complete()).isFalse();
    assertThat(fromTwo.lastSequence()).isEqualTo(10);
    assertThat(fromTwo.entries()).extracting(HistoryEntry::sequence).containsExactly(6L, 7L, 8L, 9L, 10L);

    assertThat(join(live.readSince(topic, 4, HOUR)).complete()).isFalse();
    HistorySlice fromFive = join(live.readSince(topic, 5, HOUR));
    assertThat(fromFive.complete()).isTrue();
    assertThat(fromFive.entries()).extracting(HistoryEntry::sequence).containsExactly(6L, 7L, 8L, 9L, 10L);
  }

  @Test
  void readSinceIsIncompleteWhenTooOld() {
    String topic = TestServices.unique("topic");
    Duration maxAge = Duration.ofSeconds(1);
    appendAll(topic, 2, 100, maxAge);
    assertThat(join(live.readSince(topic, 0, maxAge)).complete()).isTrue();

    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(20))
        .until(() -> !join(live.readSince(topic, 0, maxAge)).complete());
    HistorySlice stale = join(live.readSince(topic, 0, maxAge));
    assertThat(stale.entries()).isEmpty();
    assertThat(stale.lastSequence()).isEqualTo(2);

    assertThat(join(live.append(topic, "fresh", 100, maxAge))).isEqualTo(3);
    HistorySlice afterStart = join(live.readSince(topic, 0, maxAge));
    assertThat(afterStart.complete()).isFalse();
    assertThat(afterStart.entries()).extracting(HistoryEntry::payload).containsExactly("fresh");
    HistorySlice afterTwo = join(live.readSince(topic, 2, HOUR));
    assertThat(afterTwo.complete()).isTrue();
    assertThat(afterTwo.entries()).extracting(HistoryEntry::sequence).containsExactly(3L);
  }

  @Test
  void readSinceAtTheHeadIsCompleteAndEmpty() {
    String topic = TestServices.unique("topic");
    appendAll(topic, 3, 100, HOUR);

    assertThat(join(live.readSince(topic, 3, HOUR))).isEqualTo(new HistorySlice(List.of(), 3, true));
    assertThat(join(live.readSince(topic, 5, HOUR))).isEqualTo(new HistorySlice(List.of(), 3, true));
  }

  @Test
  void sequencesContinueAfterTrimming() {
    String topic = TestServices.unique("topic");
    appendAll(topic, 5, 2, HOUR);

    HistorySlice slice = join(live.readSince(topic, 0, HOUR));
    assertThat(slice.complete()).isFalse();
    assertThat(slice.entries()).extracting(HistoryEntry::sequence).containsExactly(4L, 5L);

    assertThat(join(live.append(topic, "m6", 2, HOUR))).isEqualTo(6);
    assertThat(join(live.lastSequence(topic))).isEqualTo(6);
  }

  @Test
  void deleteRemovesAKeyOfAnyKind() {
    EveryKind keys = keysOfEveryKind();
    String counter = keys.counter();
    String hash = keys.hash();
    String board = keys.board();
    String value = keys.value();
    String topic = keys.topic();
    String window = TestServices.unique("rate");
    join(live.incrementWithExpiry(window, 3, HOUR));

    for (String key : List.of(counter, window, hash, board, value, topic)) {
      join(live.delete(key));
    }

    assertThat(join(live.counter(counter))).isZero();
    assertThat(join(live.counter(window))).isZero();
    assertThat(join(live.hashCounters(hash))).isEmpty();
    assertThat(join(live.sortedSetTop(board, 0, -1))).isEmpty();
    assertThat(join(live.get(value))).isNull();
    assertThat(join(live.setIfAbsent(value, "again", HOUR))).isTrue();
    assertThat(join(live.lastSequence(topic))).isZero();
    assertThat(join(live.readSince(topic, 0, HOUR))).isEqualTo(new HistorySlice(List.of(), 0, true));
    assertThat(join(live.append(topic, "new", 100, HOUR))).isEqualTo(1);
  }

  @Test
  void absentKeysReadAsEmpty() {
    String key = TestServices.unique("absent");

    assertThat(join(live.counter(key))).isZero();
    assertThat(join(live.hashCounters(key))).isEmpty();
    assertThat(join(live.sortedSetTop(key, 0, -1))).isEmpty();
    assertThat(join(live.sortedSetRank(key, "m"))).isNull();
    assertThat(join(live.get(key))).isNull();
    assertThat(join(live.lastSequence(key))).isZero();
    assertThat(join(live.readSince(key, 0, HOUR))).isEqualTo(new HistorySlice(List.of(), 0, true));
    join(live.delete(key));
  }

  @Test
  void pingSucceedsOnAnOpenEngine() {
    join(live.ping());
    assertThat(live.engineName()).isIn("memory", "redis");
  }

  /** Appends m1..mCount, checking each gets the next sequence number. */
  protected void appendAll(String topic, int count, int maxEntries, Duration maxAge) {
    long first = join(live.lastSequence(topic)) + 1;
    for (int i = 0; i < count; i++) {
      assertThat(join(live.append(topic, "m" + (first + i), maxEntries, maxAge))).isEqualTo(first + i);
    }
  }

  /**
   * Runs call(0) .. call(n - 1) spread over several event loops at once, callsPerLoop on each, without waiting
   * between calls; completes with the results by call index once every call has.
   */
  protected <T> Future<List<T>> onEveryEventLoop(int callsPerLoop, IntFunction<Future<T>> call) {
    List<Future<List<T>>> batches = new ArrayList<>();
    for (int loop = 0; loop < eventLoops.size(); loop++) {
      int first = loop * callsPerLoop;
      Promise<List<T>> batch = Promise.promise();
      eventLoops.get(loop).runOnContext(ignored -> callAll(first, callsPerLoop, call).onComplete(batch));
      batches.add(batch.future());
    }
    return Future.all(batches).map(all -> {
      List<T> results = new ArrayList<>();
      for (List<T> batch : all.<List<T>>list()) {
        results.addAll(batch);
      }
      return results;
    });
  }

  private static <T> Future<List<T>> callAll(int first, int count, IntFunction<Future<T>> call) {
    List<Future<T>> calls = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      calls.add(call.apply(i));
    }
    return Future.all(calls).map(CompositeFuture::<T>list);
  }

  /** Blocks the test thread (never an event loop) for a result. */
  protected static <T> T join(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("operation did not complete within 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Blocks the test thread for an operation that must fail, and returns why it failed. */
  /** Keys of every kind, one of each: counter 3, hash {f: 1}, sorted set {m: 1}, value "v", topic of 3 messages. */
  private record EveryKind(String counter, String hash, String board, String value, String topic) {}

  private EveryKind keysOfEveryKind() {
    EveryKind keys = new EveryKind(TestServices.unique("counter"), TestServices.unique("tally"),
        TestServices.unique("board"), TestServices.unique("value"), TestServices.unique("topic"));
    join(live.increment(keys.counter(), 3));
    join(live.hashIncrement(keys.hash(), "f", 1));
    join(live.sortedSetIncrement(keys.board(), "m", 1));
    join(live.setIfAbsent(keys.value(), "v", HOUR));
    appendAll(keys.topic(), 3, 100, HOUR);
    return keys;
  }

  protected static Throwable failure(Future<?> future) {
    try {
      Object result = future.toCompletionStage().toCompletableFuture().get(10, SECONDS);
      throw new AssertionError("operation succeeded with " + result + " but should have failed");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("operation did not complete within 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
