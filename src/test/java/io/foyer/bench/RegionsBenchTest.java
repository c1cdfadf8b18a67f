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
 * The regions benchmark, short: a cluster per region (nodes in processes of their own, the far one behind a
 * delayed link to PostgreSQL and Redis), pushes over Redis, and a cut of the link after which the far region's
 * attendees get everything announced meanwhile, once each.
 */
class RegionsBenchTest {

  @Test
  void aClusterPerRegionDeliversAcrossTheLinkAndCatchesUpAfterItWasCut() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      RegionsBench bench = new RegionsBench();
      bench.environment = Map.of("FOYER_PG_URL", TestServices.pgUrl(), "FOYER_REDIS_URL", TestServices.redisUrl());
      exit = new CommandLine(bench).execute("--only", "per-region", "--clients", "5", "--announcements", "4",
          "--cut-seconds", "3", "--delay-ms", "10");
    } finally {
      System.setOut(original);
    }
    String report = captured.toString(StandardCharsets.UTF_8);

    assertThat(exit).as(report).isZero();
    assertThat(report).contains("a cluster per region, pushes over Redis")
        .containsPattern("time-to-all eu-west to us-east, p50 / p99 ms +[0-9.]+ / [0-9.]+")
        .containsPattern("missing / duplicate deliveries +0 / 0")
        .containsPattern("link back: us-east has all after, s +[0-9.]+");
  }

  @Test
  void withoutPostgresAndRedisItSaysWhatItNeeds() {
    RegionsBench bench = new RegionsBench();
    bench.environment = Map.of();
    assertThat(new CommandLine(bench).execute()).isEqualTo(2);
  }
}
