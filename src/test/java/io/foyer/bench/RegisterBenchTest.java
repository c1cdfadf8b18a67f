package io.foyer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmark a user runs: it drives a real node and checks the database against what it counted. */
class RegisterBenchTest {

  @Test
  void aShortRunAgainstAnInProcessNodeCountsEveryRegistrationAndChecksTheDatabase() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      RegisterBench bench = new RegisterBench();
      bench.environment = Map.of("FOYER_PG_URL", TestServices.pgUrl(), "FOYER_DATA_DIR", "target/test-data");
      exit = new CommandLine(bench).execute("--rate", "200", "--duration", "2", "--warmup", "0",
          "--concurrency", "8", "--baseline");
    } finally {
      System.setOut(original);
    }
    String report = captured.toString(StandardCharsets.UTF_8);

    assertThat(exit).as(report).isZero();
    assertThat(report).contains("foyer (group commit)").contains("baseline (one INSERT per request)")
        .contains("ok: database holds 400 = acknowledged").contains("ratio foyer / baseline");
  }
}
