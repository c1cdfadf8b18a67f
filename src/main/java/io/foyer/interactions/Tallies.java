package io.foyer.interactions;

import io.foyer.live.LiveState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live tallies of polls in LiveState, shared by every node: a hash of counters per poll (option, value or word
 * to count) and its number of ballots. Each change is an atomic increment, so votes on any number of nodes never
 * lose one another's; the ballots table stays the source of truth and the tally is set from it on close.
 */
final class Tallies {

  private static final String BALLOTS = "ballots";

  private final LiveState live;

  Tallies(LiveState live) {
    this.live = live;
  }

  /** Counts a ballot that was cast (previous null) or changed from previous. */
  Future<Void> record(Poll poll, JsonObject answer, JsonObject previous) {
    Map<String, Long> deltas = new HashMap<>(Answers.tally(poll, answer));
    if (previous != null) {
      Answers.tally(poll, previous).forEach((field, n) -> deltas.merge(field, -n, Long::sum));
    }
    List<Future<Long>> increments = new ArrayList<>();
    deltas.forEach((field, delta) -> {
      if (delta != 0) {
        increments.add(live.hashIncrement(tallyKey(poll.id()), field, delta));
      }
    });
    if (previous == null) {
      increments.add(live.hashIncrement(countKey(poll.id()), BALLOTS, 1));
    }
    return Future.all(increments).mapEmpty();
  }

  /** The live results. */
  Future<JsonObject> results(Poll poll) {
    return live.hashCounters(tallyKey(poll.id())).compose(tally -> live.hashCounters(countKey(poll.id()))
        .map(count -> Results.of(poll, tally, count.getOrDefault(BALLOTS, 0L))));
  }

  /** Sets the tally to the results counted from the ballots (on close, when nobody votes). */
  Future<Void> reset(Poll poll, JsonObject results) {
    return live.delete(tallyKey(poll.id())).compose(v -> {
      List<Future<Void>> puts = new ArrayList<>();
      results.getJsonObject("counts").forEach(count -> {
        long n = ((Number) count.getValue()).longValue();
        if (n != 0) {
          puts.add(live.hashPut(tallyKey(poll.id()), count.getKey(), n));
        }
      });
      puts.add(live.hashPut(countKey(poll.id()), BALLOTS, results.getLong("ballots")));
      return Future.all(puts).mapEmpty();
    });
  }

  static String tallyKey(long pollId) {
    return "poll:" + pollId + ":tally";
  }

  private static String countKey(long pollId) {
    return "poll:" + pollId + ":count";
  }
}
