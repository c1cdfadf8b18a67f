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
 * The short version of `foyer bench lobby`: a burst into a node in a process of its own, then the line followed
 * to the end, with every check of the long run.
 */
class LobbyBenchTest {

  @Test
  void aBurstGetsPlacesInOrderAndTheLineAdmitsAndRegistersThemAtItsRate() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      LobbyBench bench = new LobbyBench();
      bench.target.environment = Map.of("FOYER_PG_URL", TestServices.pgUrl());
      exit = new CommandLine(bench).execute("--arrivals", "500", "--rate", "100", "--concurrency", "8",
          "--warmup", "1");
    } finally {
      System.setOut(original);
    }
    String report = captured.toString(StandardCharsets.UTF_8);

    assertThat(exit).as(report).isZero();
    assertThat(report).contains("500 arrivals in a burst over 8 connections").contains("a process of its own")
        .contains("warm-up, not counted: ")
        .contains("places: ok: 500 places, each of 1..500 once")
        .contains("before its turn: ok: place 1")
        .contains("admissions: 500 of 500 followed places")
        .contains("admission order: ok")
        .contains("registrations: 500 acknowledged of 500 admitted; ok")
        .contains("stored: ok: the database holds 500 = registrations acknowledged")
        .containsPattern("resident \\(after a full collection\\) [0-9.]+ MB before");
  }
}
