package io.foyer.interactions;

import io.foyer.live.LiveState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A quiz's leaderboard, a LiveState sorted set shared by every node: one member per player (its registration),
 * scored so that more points rank first and, with equal points, less total response time does. It is written
 * whole from the stored answers each time a question closes (a retry writes the same), so it never holds the
 * points of a question still open.
 *
 * <p>Each write sets the set to expire ttl later: ranks are read for as long as players reconnect, even after the
 * quiz finished, so the set is not deleted when the quiz ends; a rank asked of a set that expired is read from the
 * stored answers instead, as the set was written from them.
 */
final class Leaderboard {

  static final int TOP = 10;
  /** Total response times are kept below this (about 9 hours); points are counted in multiples of it. */
  private static final double TIME_SCALE = 1L << 25;
  /** The sorted set's own order: score descending, then member descending (as Redis breaks ties). */
  static final Comparator<Standing> ORDER = Comparator.comparingDouble(Standing::rankScore)
      .thenComparing(standing -> standing.registrationId().toString()).reversed();

  private final LiveState live;
  private final Duration ttl;

  Leaderboard(LiveState live, Duration ttl) {
    this.live = live;
    this.ttl = ttl;
  }

  /** points * 2^25 - total ms: exact in a double for up to 2^27 points, and ordered as the rule says. */
  static double rankScore(long points, long totalMillis) {
    return points * TIME_SCALE - Math.min(totalMillis, TIME_SCALE - 1);
  }

  static String key(long quizId) {
    return "quiz:" + quizId + ":leaderboard";
  }

  /** Writes every player's standing, for the ranks players read later (a reconnect's quiz-state). */
  Future<Void> write(long quizId, List<Standing> standings) {
    Map<String, Double> scores = new HashMap<>();
    standings.forEach(standing -> scores.put(standing.registrationId().toString(), standing.rankScore()));
    return live.sortedSetPut(key(quizId), scores, ttl);
  }

  /** The standings in the leaderboard's order: the sorted set's own, so a rank read from it later is the same. */
  static List<Standing> ranked(List<Standing> standings) {
    List<Standing> ranked = new ArrayList<>(standings);
    ranked.sort(ORDER);
    return ranked;
  }

  /**
   * A player's rank from 1, or null when it has no place yet. When the set is gone (expired), the rank is counted
   * from standings, those the set was last written from; they are not written back, since that could overwrite a
   * newer write of a question closing meanwhile, and a set that expired is seldom read again.
   */
  Future<Long> rank(long quizId, UUID registrationId, Supplier<Future<List<Standing>>> standings) {
    String member = registrationId.toString();
    return live.sortedSetRank(key(quizId), member).compose(rank -> rank != null ? Future.succeededFuture(rank + 1)
        : live.sortedSetTop(key(quizId), 0, 0).compose(top -> !top.isEmpty() ? Future.succeededFuture(null)
            : standings.get().map(all -> rankIn(ranked(all), registrationId))));
  }

  private static Long rankIn(List<Standing> ranked, UUID registrationId) {
    for (int i = 0; i < ranked.size(); i++) {
      if (ranked.get(i).registrationId().equals(registrationId)) {
        return i + 1L;
      }
    }
    return null;
  }

  /**
   * The top ten of {@link #ranked ranked} standings as pushed to everyone: rank, the player's pseudonym, score,
   * correct answers and streak.
   */
  static JsonArray topJson(long quizId, List<Standing> ranked) {
    JsonArray entries = new JsonArray();
    for (int i = 0; i < Math.min(TOP, ranked.size()); i++) {
      Standing standing = ranked.get(i);
      entries.add(new JsonObject().put("rank", i + 1).put("player", player(quizId, standing.registrationId()))
          .put("score", standing.score()).put("correctAnswers", standing.correctAnswers())
          .put("streak", standing.streak()));
    }
    return entries;
  }

  /**
   * How a player is named on the public leaderboard: a pseudonym of its registration, different in each quiz, so
   * that the leaderboard carries no personal data; the player learns its own in its private result.
   */
  static String player(long quizId, UUID registrationId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((quizId + ":" + registrationId).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
