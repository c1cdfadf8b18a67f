package io.foyer.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/** Prints one summary table per benchmark, and the ratio to the baseline when there is one. */
final class BenchReport {

  private BenchReport() {}

  private static String slowestBySecond(LoadResult r) {
    StringBuilder line = new StringBuilder();
    for (long micros : r.slowestMicrosBySecond) {
      line.append(line.length() == 0 ? "" : " ").append(micros / 1000);
    }
    return line.toString();
  }

  /**
   * @param scenario what was run, e.g. "register, scenario open (one event without capacity)"
   * @param nodes where the measured servers ran, one line
   */
  static void print(PrintStream out, String scenario, String nodes, double rate, int seconds, int concurrency,
      List<LoadResult> results) {
    out.printf(Locale.ROOT, "%nfoyer bench %s: offered %.0f/s for %d s over %d connections; %d cores, %s, %s%n",
        scenario, rate, seconds, concurrency, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), LocalDate.now());
    out.println(nodes);
    out.println();
    out.printf(Locale.ROOT, "%-36s %9s %10s %9s %9s %9s %9s %10s %13s %8s%n", "run", "elapsed s", "acked/s",
        "p50 ms", "p95 ms", "p99 ms", "max ms", "refused/s", "refusal p99", "errors");
    for (LoadResult r : results) {
      out.printf(Locale.ROOT, "%-36s %9.1f %10.0f %9.2f %9.2f %9.2f %9.2f %10.0f %13.2f %8d%n", r.name,
          r.elapsedSeconds, r.acknowledgedPerSecond(), r.millis(50), r.millis(95), r.millis(99), r.maxMillis(),
          r.refusedPerSecond(), r.refusalMillis(99), r.errorCount());
    }
    out.println();
    for (LoadResult r : results) {
      out.println(r.name + ": " + r.verification + "; acknowledged " + r.acknowledged + ", refused " + r.refused
          + " of " + r.sent + (r.errors.isEmpty() ? "" : "; errors " + r.errors));
      out.println(r.name + ": slowest acknowledgement of each second, ms: " + slowestBySecond(r));
      out.printf(Locale.ROOT, "%s: the load generator's own lag, from a request's due time to its writing: p99 %.2f ms,"
          + " max %.2f ms (included in the latencies above)%n", r.name, r.sendLagMillis(99), r.sendLagMillis(100));
    }
    if (results.size() == 2 && results.get(1).acknowledgedPerSecond() > 0) {
      LoadResult foyer = results.get(0);
      LoadResult base = results.get(1);
      out.printf(Locale.ROOT, "%nratio foyer / baseline: throughput %.2fx; p99 %.2f ms vs %.2f ms%n",
          foyer.acknowledgedPerSecond() / base.acknowledgedPerSecond(), foyer.millis(99), base.millis(99));
    }
    out.println("load generator: process " + ManagementFactory.getRuntimeMXBean().getName());
  }
}
