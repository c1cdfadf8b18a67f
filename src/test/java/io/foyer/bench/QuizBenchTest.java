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
 * The short version of `foyer bench quiz`: players over real WebSockets, spread over the bench's event loops,
 * answer a warm-up question and the measured one against a node in a process of its own, and every one of them
 * gets the measured question's leaderboard and its own result after the deadline.
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
      exit = new CommandLine(bench).execute("--players", "30", "--limit", "2", "--warmup-questions", "1");
    } finally {
      System.setOut(original);
    }
    String report = captured.toString(StandardCharsets.UTF_8);

    assertThat(exit).as(report).isZero();
    assertThat(report).contains("30 players over WebSockets").contains("a process of its own")
        .contains("check: ok: every player got the leaderboard, counting the 30 acknowledged answers")
        .contains("ranks 1..30 once each").containsPattern("leaderboard after deadline")
        .containsPattern("measured on the last of 2").containsPattern("published the leaderboard [0-9]+ ms after")
        .contains("read on 2 of the bench's event loops");
  }
}
