package io.foyer.interactions;

import io.foyer.live.LiveState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live tallies of polls in LiveState, shared by every node: a hash of counters per poll (option, value or word
 * to count) and its number of ballots. Each change is an atomic increment, so votes on any number of nodes never
 * lose one another's; the ballots table stays the source of truth.
 *
 * <p>Both keys of a poll ({@link #tallyKey}, {@link #countKey}) are needed only while it is live: every write sets
 * them to expire ttl later, and {@link #keepAlive} does so for every live poll long before that. A close sets them
 * to the final results for {@link #CLOSED_TTL} only (a closed poll's results are the stored final ones), and a
 * reopen sets them again from the ballots. The long TTL only catches keys nobody else ends: those of a node that
 * died, or written by a vote counted after its poll closed.
 */
final class Tallies {

  private static final String BALLOTS = "ballots";
  /**
   * How long a closed poll's tally stays: longer than any push of its results still under way (its claims last
   * {@link InteractionsVerticle#PUSH_INTERVAL}, and nodes cache it as live for a second), which reads the tally.
   */
  static final Duration CLOSED_TTL = Duration.ofSeconds(30);

  private final LiveState live;
  private final Duration ttl;

  Tallies(LiveState live, Duration ttl) {
    this.live = live;
    this.ttl = ttl;
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
        increments.add(live.hashIncrement(tallyKey(poll.id()), field, delta, ttl));
      }
    });
    if (previous == null) {
      increments.add(live.hashIncrement(countKey(poll.id()), BALLOTS, 1, ttl));
    }
    return Future.all(increments).mapEmpty();
  }

  /** The live results. */
  Future<JsonObject> results(Poll poll) {
    return live.hashCounters(tallyKey(poll.id())).compose(tally -> live.hashCounters(countKey(poll.id()))
        .map(count -> Results.of(poll, tally, count.getOrDefault(BALLOTS, 0L))));
  }

  /**
   * Sets the tally to the results counted from the ballots, each key replaced whole in one step, for the votes
   * to count on from (on reopen, while the poll's row lock keeps every ballot out).
   */
  Future<Void> reset(Poll poll, JsonObject results) {
    return reset(poll, results, ttl);
  }

  /** Sets a closed poll's tally to its final results, which then go after {@link #CLOSED_TTL} (or ttl if shorter). */
  Future<Void> close(Poll poll) {
    return reset(poll, poll.finalResults(), ttl.compareTo(CLOSED_TTL) < 0 ? ttl : CLOSED_TTL);
  }

  private Future<Void> reset(Poll poll, JsonObject results, Duration expiry) {
    Map<String, Long> tally = new HashMap<>();
    results.getJsonObject("counts").forEach(count -> {
      long n = ((Number) count.getValue()).longValue();
      if (n != 0) {
        tally.put(count.getKey(), n);
      }
    });
    long ballots = results.getLong("ballots");
    return Future.all(live.hashReplace(tallyKey(poll.id()), tally, expiry),
        live.hashReplace(countKey(poll.id()), ballots == 0 ? Map.of() : Map.of(BALLOTS, ballots), expiry))
        .mapEmpty();
  }

  /**
   * Pushes back the expiry of a live poll's keys, which need to outlive a poll that gets no vote for longer
   * than the TTL. Renewing them is chosen over rebuilding a lost tally from the ballots, which would race with
   * the increments of ballots committed meanwhile; an absent key (no vote yet) stays absent.
   */
  Future<Void> keepAlive(long pollId) {
    return Future.all(live.expire(tallyKey(pollId), ttl), live.expire(countKey(pollId), ttl)).mapEmpty();
  }

  static String tallyKey(long pollId) {
    return "poll:" + pollId + ":tally";
  }

  static String countKey(long pollId) {
    return "poll:" + pollId + ":count";
  }
}
