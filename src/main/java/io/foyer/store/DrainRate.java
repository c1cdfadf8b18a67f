package io.foyer.store;

/**
 * How fast a batching writer works off a backlog: rows committed per second, an exponentially weighted moving
 * average over recent batches. Only batches that left rows waiting behind them count: a writer that keeps up
 * writes small batches, and their rate says how busy it is, not how fast it could drain a queue.
 *
 * <p>The time of a batch is the writer's busy time since the previous batch ended (or since the writer last
 * went from idle to busy), so concurrent batches are not counted twice and idle time not at all. While a batch
 * is overdue (the database stalls), the rate falls as if that batch had committed a typical batch just now.
 *
 * <p>Updated on the writer's context only; read from any thread, without locks, from one immutable snapshot.
 */
final class DrainRate {

  /** The weight of the newest batch: the average reflects about the last five. */
  private static final double NEWEST = 0.2;

  /**
   * Decayed sums of rows and busy nanoseconds of the counted batches (zero rows: nothing measured yet); the
   * start of the current busy interval, and whether a batch is in flight.
   */
  private record Snapshot(double rows, double nanos, long intervalStart, boolean busy) {}

  private volatile Snapshot snapshot = new Snapshot(0, 0, 0, false);

  /** A batch starts; when none was in flight, the writer's busy time starts now. */
  void batchStarted(long now) {
    Snapshot s = snapshot;
    if (!s.busy()) {
      snapshot = new Snapshot(s.rows(), s.nanos(), now, true);
    }
  }

  /**
   * A batch ended.
   *
   * @param backlogRows the rows it committed if it started with rows waiting behind it, else 0 (not counted)
   * @param stillBusy whether other batches are still in flight
   */
  void batchEnded(long now, int backlogRows, boolean stillBusy) {
    Snapshot s = snapshot;
    if (backlogRows > 0) {
      long busyNanos = Math.max(1, now - s.intervalStart());
      snapshot = new Snapshot(s.rows() * (1 - NEWEST) + backlogRows, s.nanos() * (1 - NEWEST) + busyNanos, now,
          stillBusy);
    } else {
      snapshot = new Snapshot(s.rows(), s.nanos(), now, stillBusy);
    }
  }

  /** Rows per second, or 0 while nothing has been measured. */
  double rowsPerSecond(long now) {
    Snapshot s = snapshot;
    if (s.rows() == 0) {
      return 0;
    }
    double nanos = s.nanos();
    if (s.busy()) {
      // the batch in flight, had it just committed a typical batch (NEWEST * rows), would leave the rows as
      // they are and add the time since the interval started
      nanos = Math.max(nanos, nanos * (1 - NEWEST) + (now - s.intervalStart()));
    }
    return s.rows() / nanos * 1e9;
  }

  /** How long the given rows would wait to be committed, in milliseconds; 0 while nothing has been measured. */
  long expectedWaitMillis(int queuedRows, long now) {
    double rate = rowsPerSecond(now);
    return rate == 0 ? 0 : (long) Math.ceil(queuedRows / rate * 1000);
  }
}
