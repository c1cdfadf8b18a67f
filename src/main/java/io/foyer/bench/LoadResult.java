package io.foyer.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one load run saw: latencies of acknowledged requests (from the time each was due to be sent, so a
 * stalled server is not hidden by a stalled client), acknowledgements per event, refusals, other errors by
 * kind, and the server-side check.
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
  /** Acknowledged registrations by the index of their event in the run's list of events. */
  final long[] acknowledgedByEvent;
  /** Answers other than an acknowledgement or a refusal, by kind. */
  final Map<String, Long> errors = new TreeMap<>();
  long acknowledged;
  /** Retryable refusals (HTTP 503 overloaded or unavailable): the server said no instead of queueing. */
  long refused;
  /** How long a refusal took, from its request's due time: a refusal is only useful if it is quick. */
  final Histogram refusalMicros = new Histogram(3);
  long sent;
  /**
   * How late each request was written, from its due time: the load generator's own lag (a busy event loop, a
   * connection still opening). Latencies include it, so a tail that is only here is the bench's, not the
   * server's.
   */
  final Histogram sendLagMicros = new Histogram(3);
  String verification = "not checked";
  /**
   * The slowest acknowledgement of each second of the run, by the second it was due in: shows whether a tail
   * is spread out or comes from a few stalls (a checkpoint, a garbage collection, a vacuum).
   */
  final long[] slowestMicrosBySecond;

  LoadResult(String name, double offeredRate, double seconds, int events) {
    this.name = name;
    this.offeredRate = offeredRate;
    this.seconds = seconds;
    this.acknowledgedByEvent = new long[events];
    this.slowestMicrosBySecond = new long[(int) Math.ceil(seconds)];
  }

  // answers may arrive on several event loops
  synchronized void error(String kind) {
    errors.merge(kind, 1L, Long::sum);
  }

  synchronized void sent(long lagMicros) {
    sendLagMicros.recordValue(Math.max(0, lagMicros));
  }

  /** The send lag at a percentile, in ms (NaN before any request was written). */
  double sendLagMillis(double percentile) {
    return sendLagMicros.getTotalCount() == 0 ? Double.NaN : sendLagMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  synchronized void refused(long latencyMicros) {
    refused++;
    refusalMicros.recordValue(Math.max(0, latencyMicros));
  }

  synchronized void acknowledged(int event, double dueSecond, long latencyMicros) {
    acknowledged++;
    acknowledgedByEvent[event]++;
    this.latencyMicros.recordValue(Math.max(0, latencyMicros));
    int second = Math.min(slowestMicrosBySecond.length - 1, (int) dueSecond);
    if (second >= 0) {
      slowestMicrosBySecond[second] = Math.max(slowestMicrosBySecond[second], latencyMicros);
    }
  }

  /** The refusals' latency at a percentile, in ms (NaN without refusals). */
  double refusalMillis(double percentile) {
    return refusalMicros.getTotalCount() == 0 ? Double.NaN : refusalMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  boolean verified() {
    return verification.startsWith("ok");
  }

  long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  double acknowledgedPerSecond() {
    return acknowledged / Math.max(seconds, elapsedSeconds);
  }

  double refusedPerSecond() {
    return refused / Math.max(seconds, elapsedSeconds);
  }

  double millis(double percentile) {
    return latencyMicros.getTotalCount() == 0 ? Double.NaN
        : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMillis() {
    return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1000.0;
  }
}
