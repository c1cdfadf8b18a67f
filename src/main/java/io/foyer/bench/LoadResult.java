package io.foyer.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one load run saw: latencies of acknowledged requests (from the time each was due to be sent, so a
 * stalled server is not hidden by a stalled client), errors by kind, and the server-side check.
 */
public final class LoadResult {

  final String name;
  final double offeredRate;
  final double seconds;
  /** From the first request's due time to the last answer: longer than seconds when the server fell behind. */
  double elapsedSeconds;
  /**
   * Auto-resizing: latencies count from each request's due time, so a backlog can push them past any fixed
   * bound, and a value past the bound threw, counting an acknowledged answer as an error as well.
   */
  final Histogram latencyMicros = new Histogram(3);
  final Map<String, Long> errors = new TreeMap<>();
  long acknowledged;
  long sent;
  String verification = "not checked";

  LoadResult(String name, double offeredRate, double seconds) {
    this.name = name;
    this.offeredRate = offeredRate;
    this.seconds = seconds;
  }

  // answers may arrive on several event loops
  synchronized void error(String kind) {
    errors.merge(kind, 1L, Long::sum);
  }

  synchronized void acknowledged(long latencyMicros) {
    acknowledged++;
    this.latencyMicros.recordValue(Math.max(0, latencyMicros));
  }

  long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  double acknowledgedPerSecond() {
    return acknowledged / Math.max(seconds, elapsedSeconds);
  }

  double millis(double percentile) {
    return latencyMicros.getTotalCount() == 0 ? Double.NaN
        : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMillis() {
    return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1000.0;
  }
}
