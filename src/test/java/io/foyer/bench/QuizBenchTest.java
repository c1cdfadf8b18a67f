package io.foyer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The short version of `foyer bench quiz`: players over real WebSockets answer one question against a node in a
 * process of its own, and every one of them gets the leaderboard and its own result after the deadline.
 */
class QuizBenchTest {

  @Test
  void playersAnswerOverWebSocketsAndEachGetsTheLeaderboardAndItsOwnResultAfterTheDeadline() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      QuizBench bench = new QuizBench();
      bench.target.environment = Map.of("FOYER_PG_URL", TestServices.pgUrl());
      exit = new CommandLine(bench).execute("--players", "30", "--limit", "2");
    } finally {
      System.setOut(original);
    }
    String report = captured.toString(StandardCharsets.UTF_8);

    assertThat(exit).as(report).isZero();
    assertThat(report).contains("30 players over WebSockets").contains("a process of its own")
        .contains("check: ok: every player got the leaderboard, counting the 30 acknowledged answers")
        .contains("ranks 1..30 once each").containsPattern("leaderboard after deadline");
  }
}
