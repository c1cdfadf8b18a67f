package io.foyer.interactions;

import io.vertx.sqlclient.Row;
import java.util.UUID;

/**
 * A player's place in a quiz after a question closed: totals over the questions so far, its streak after this
 * question, and what this question gave it (gained and correct are null when it did not answer).
 */
record Standing(UUID registrationId, long score, long totalMillis, long correctAnswers, int streak, Integer gained,
    Boolean correct) {

  static Standing from(Row row, UUID registrationId) {
    Integer streak = row.getInteger("streak");
    return new Standing(registrationId, row.getLong("score"), row.getLong("total_ms"),
        row.getLong("correct_answers"), streak == null ? 0 : streak, row.getInteger("gained"),
        row.getBoolean("correct"));
  }

  /** Where the player ranks: more points first; with equal points, less total response time first. */
  double rankScore() {
    return Leaderboard.rankScore(score, totalMillis);
  }
}
