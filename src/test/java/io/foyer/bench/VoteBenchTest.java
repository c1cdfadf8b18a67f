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
 * The short version of `foyer bench votes` (docs/benchmarks.md has the long one): attendees over real
 * WebSockets vote against a node in a process of its own, and the run checks the tally against the ballots.
 */
class VoteBenchTest {

  @Test
  void attendeesVoteOverWebSocketsAndTheTallyMatchesTheBallotsAndWhatEachClientWasTold() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      VoteBench bench = new VoteBench();
      bench.target.environment = Map.of("FOYER_PG_URL", TestServices.pgUrl());
      exit = new CommandLine(bench).execute("--clients", "40", "--rate", "100", "--duration", "2", "--warmup", "1");
    } finally {
      System.setOut(original);
    }
    String report = captured.toString(StandardCharsets.UTF_8);

    assertThat(exit).as(report).isZero();
    assertThat(report).contains("40 attendees over WebSockets on 2 of the bench's event loops")
        .contains("a process of its own")
        .contains("check: ok: live tally = ballots in the database = each client's last acknowledged choice")
        .contains("acknowledged 200");
  }
}
