package io.foyer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fan-out benchmark a user runs: a real node and the bare baseline in processes of their own. */
class FanoutBenchTest {

  @Test
  void aShortRunDeliversEveryBroadcastToEveryClientOnBothServers() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      FanoutBench bench = new FanoutBench();
      bench.environment = Map.of("FOYER_PG_URL", TestServices.pgUrl());
      exit = new CommandLine(bench).execute("--clients", "50", "--rate", "4", "--duration", "1",
          "--source-addresses", "2", "--baseline");
    } finally {
      System.setOut(original);
    }
    String report = captured.toString(StandardCharsets.UTF_8);

    assertThat(exit).as(report).isZero();
    assertThat(report).contains("foyer ").contains("200/200").contains("baseline (bare Vert.x broadcast)")
        .contains("ratio foyer / baseline");
  }
}
