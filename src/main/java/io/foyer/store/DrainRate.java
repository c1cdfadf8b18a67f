package io.foyer.store;

/**
 * How fast a batching writer works off a backlog: rows committed per second of the writer's busy time,
 * averaged over about the last second of it. Only batches that ran at capacity count (they left rows waiting
 * behind them, or were full): a writer that keeps up writes small batches, and their rate says how busy it
 * is, not how fast it could drain a queue.
 *
 * <p>The time of a batch is the writer's busy time since the previous batch ended (or since the writer last
 * went from idle to busy), so concurrent batches are not counted twice and idle time not at all. Older
 * batches weigh less the more busy time has passed since (exponential decay with a one-second horizon), so
 * that one fast or slow commit among hundreds of tiny batches barely moves the rate. While a batch is
 * overdue (the database stalls), the rate falls as if that batch had committed a typical batch just now.
 *
 * <p>Updated on the writer's context only; read from any thread, without locks, from one immutable snapshot.
 */
final class DrainRate {

  /** Busy time after which a batch weighs 1/e of a new one. */
  private static final double HORIZON_NANOS = 1e9;

  /**
   * Decayed sums of the counted batches' rows, number and busy nanoseconds (zero rows: nothing measured yet);
   * the start of the current busy interval, and whether a batch is in flight.
   */
  private record Snapshot(double rows, double batches, double nanos, long intervalStart, boolean busy) {}

  private volatile Snapshot snapshot = new Snapshot(0, 0, 0, 0, false);

  /** A batch starts; when none was in flight, the writer's busy time starts now. */
  void batchStarted(long now) {
    Snapshot s = snapshot;
    if (!s.busy()) {
      snapshot = new Snapshot(s.rows(), s.batches(), s.nanos(), now, true);
    }
  }

  /**
   * A batch ended.
   *
   * @param atCapacityRows the rows it committed if it ran at capacity (rows waited behind it, or it was
   *     full), else 0 (not counted)
   * @param stillBusy whether other batches are still in flight
   */
  void batchEnded(long now, int atCapacityRows, boolean stillBusy) {
    Snapshot s = snapshot;
    if (atCapacityRows > 0) {
      long busyNanos = Math.max(1, now - s.intervalStart());
      double kept = decay(busyNanos);
      snapshot = new Snapshot(s.rows() * kept + atCapacityRows, s.batches() * kept + 1,
          s.nanos() * kept + busyNanos, now, stillBusy);
    } else {
      snapshot = new Snapshot(s.rows(), s.batches(), s.nanos(), now, stillBusy);
    }
  }

  /** Rows per second, or 0 while nothing has been measured. */
  double rowsPerSecond(long now) {
    Snapshot s = snapshot;
    if (s.rows() == 0) {
      return 0;
    }
    double rowsPerNano = s.rows() / s.nanos();
    if (s.busy()) {
      // the batch in flight, had it just committed a typical batch, would leave the average at this
      long elapsed = Math.max(0, now - s.intervalStart());
      double kept = decay(elapsed);
      double ifCommittedNow = (s.rows() * kept + s.rows() / s.batches()) / (s.nanos() * kept + elapsed);
      rowsPerNano = Math.min(rowsPerNano, ifCommittedNow);
    }
    return rowsPerNano * 1e9;
  }

  /** How long the given rows would wait to be committed, in milliseconds; 0 while nothing has been measured. */
  long expectedWaitMillis(int rows, long now) {
    double rate = rowsPerSecond(now);
    return rate == 0 ? 0 : (long) Math.ceil(rows / rate * 1000);
  }

  private static double decay(long busyNanos) {
    return Math.exp(-busyNanos / HORIZON_NANOS);
  }
}
