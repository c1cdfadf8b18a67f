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
 * The benchmark a user runs: each scenario drives a real node in a process of its own and checks the database
 * against what it counted.
 */
class RegisterBenchTest {

  private record Run(int exit, String report) {}

  @Test
  void anOpenEventRunOnANodeProcessAndOnTheBaselineCountsEveryRegistrationAndChecksTheDatabase() {
    Run run = bench("--rate", "100", "--duration", "2", "--warmup", "0", "--concurrency", "8", "--baseline");

    assertThat(run.exit()).as(run.report()).isZero();
    assertThat(run.report()).contains("scenario open").contains("in a process of its own")
        .contains("foyer (group commit)").contains("baseline (one INSERT per request)")
        .contains("ok: database holds 200 = acknowledged; acknowledged 200, refused 0 of 200")
        .contains("refused/s").contains("ratio foyer / baseline")
        // two seconds measured: two figures, each the slowest answer of its second
        .containsPattern("foyer \\(group commit\\): slowest acknowledgement of each second, ms: \\d+ \\d+\\R");
  }

  @Test
  void arrivalsPastTheCapacityFillItExactlyAndWaitTheRest() {
    Run run = bench("--scenario", "waitlist", "--rate", "400", "--duration", "3", "--warmup", "0",
        "--concurrency", "16");

    assertThat(run.exit()).as(run.report()).isZero();
    assertThat(run.report()).contains("scenario waitlist")
        .contains("ok: database holds 1200 = acknowledged (1000 confirmed, 200 waitlisted)");
  }

  @Test
  void arrivalsSpreadOverAHundredEventsAreEachHeldByTheirEvent() {
    Run run = bench("--scenario", "events", "--rate", "200", "--duration", "2", "--warmup", "1",
        "--concurrency", "8");

    assertThat(run.exit()).as(run.report()).isZero();
    assertThat(run.report()).contains("scenario events")
        .contains("ok: database holds 400 = acknowledged over 100 events, each as acknowledged");
  }

  private static Run bench(String... args) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      RegisterBench bench = new RegisterBench();
      bench.target.environment = Map.of("FOYER_PG_URL", TestServices.pgUrl());
      exit = new CommandLine(bench).execute(args);
    } finally {
      System.setOut(original);
    }
    return new Run(exit, captured.toString(StandardCharsets.UTF_8));
  }
}
