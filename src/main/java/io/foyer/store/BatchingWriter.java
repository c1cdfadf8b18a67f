package io.foyer.store;

import io.foyer.config.FoyerConfig.WriterConfig;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: rows submitted from any verticle are written together, one transaction and one statement
 * per batch, and each submitter's Future completes only after its batch commits.
 *
 * <p>A batch starts when {@code maxBatchRows} are waiting, or once its oldest row has waited {@code linger}.
 * Under a steady stream of rows that paces the batches about {@code linger} apart, so a batch grows with the
 * load and the number of statements does not: each statement has a fixed cost in the database (its call,
 * its locks, its commit) that a few more rows share for a few milliseconds of waiting.
 *
 * <p>Waiting is bounded twice, and nothing that was accepted is ever dropped. A submission fails at once, with
 * the retryable {@link ProblemType#OVERLOADED} and the expected wait as its retry-after hint, when
 * {@code maxQueuedRows} rows are queued (the hard limit), or when the rows queued and in flight would take
 * longer than {@code maxExpectedWait} to commit at the writer's measured {@link DrainRate} (zero turns this
 * off). Until a backlog has been drained there is no rate, and only the hard limit applies. One batch's worth
 * of rows is always accepted: a full batch counts as running at capacity, so the rate keeps being measured
 * while the writer refuses (else a rate measured too low could refuse for ever). The refusal reads three
 * counters and the clock: no I/O, no lock.
 *
 * <p>When a batch fails on its data, its rows are retried one by one so that one bad row fails alone; when the
 * database is unavailable, every row of the batch fails with the retryable {@link ProblemType#UNAVAILABLE}.
 * Every accepted row is answered exactly once, whatever a statement or a caller's callback throws; a batch
 * whose statement never returns (a lock held elsewhere) holds its rows until it does, and the HTTP request
 * deadline answers their requests meanwhile.
 *
 * @param <T> a row to write
 * @param <R> what the writer returns for a row (a generated id, an outcome)
 */
public final class BatchingWriter<T, R> {

  /** Writes a batch of rows inside the writer's transaction. */
  @FunctionalInterface
  public interface BatchStatement<T, R> {
    /** Returns one result per row, in the order of the rows. */
    Future<List<R>> write(SqlConnection connection, List<T> rows);
  }

  /** How a batch's statement is made atomic. */
  public enum Atomicity {
    /**
     * The statement is a single SQL statement, atomic on its own: it is sent without BEGIN and COMMIT, one
     * round trip, so the rows it locks are held only while PostgreSQL runs it, not across the event loop.
     */
    ONE_STATEMENT,
    /** The statement runs several SQL statements: they run in one transaction. */
    TRANSACTION
  }

  private record Pending<T, R>(T row, Promise<R> promise, Context caller, long queuedAt) {}

  private static final Logger log = LoggerFactory.getLogger(BatchingWriter.class);

  private final Vertx vertx;
  private final Context context;
  private final Pool pool;
  private final WriterConfig config;
  private final String name;
  private final Atomicity atomicity;
  private final BatchStatement<T, R> statement;

  private final Queue<Pending<T, R>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger inFlightRows = new AtomicInteger();
  private final AtomicBoolean pumpScheduled = new AtomicBoolean();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private final DrainRate drainRate = new DrainRate();
  private volatile boolean closed;
  private volatile DistributionSummary batchSizes;

  // touched on the writer's context only
  private int inFlight;
  private long lingerTimer = -1;
  private Promise<Void> drained;

  /**
   * @param context where the writer runs: the context of the verticle that owns it
   * @param name names this writer in errors and metrics (e.g. "registrations")
   */
  public BatchingWriter(Context context, Pool pool, WriterConfig config, String name, Atomicity atomicity,
      BatchStatement<T, R> statement) {
    this.vertx = context.owner();
    this.context = context;
    this.pool = pool;
    this.config = config;
    this.name = name;
    this.atomicity = atomicity;
    this.statement = statement;
  }

  /** Queues a row; the Future completes on the caller's context once the row's transaction has committed. */
  public Future<R> submit(T row) {
    if (closed) {
      return Future.failedFuture(new ProblemException(ProblemType.UNAVAILABLE,
          "the " + name + " writer is shutting down; retry on another node"));
    }
    long now = System.nanoTime();
    ProblemException refused = refusalFor(queued.incrementAndGet(), now);
    if (refused != null) {
      queued.decrementAndGet();
      return Future.failedFuture(refused);
    }
    Promise<R> promise = Promise.promise();
    queue.add(new Pending<>(row, promise, Vertx.currentContext(), now));
    schedulePump();
    return promise.future();
  }

  /**
   * The refusal a row submitted now would get for the queue's length or expected wait, or null if it would be
   * accepted: for callers that can refuse before doing the work of a submission.
   */
  public ProblemException refusal() {
    return refusalFor(queued.get() + 1, System.nanoTime());
  }

  /** The refusal for a queue of this many rows (the row in question counted), or null to accept it. */
  private ProblemException refusalFor(int waiting, long now) {
    long expectedWaitMillis = drainRate.expectedWaitMillis(waiting + inFlightRows.get(), now);
    return waiting > config.maxQueuedRows() || waitsTooLong(waiting, expectedWaitMillis)
        ? new ProblemException(ProblemType.OVERLOADED, "too many " + name + " waiting to be written; retry shortly",
            null, Duration.ofMillis(expectedWaitMillis))
        : null;
  }

  /** Publishes the queue depth, drain rate, expected wait and batch sizes of this writer, tagged with its name. */
  public BatchingWriter<T, R> withMetrics(MeterRegistry registry) {
    Gauge.builder("foyer.writer.queued.rows", queued, AtomicInteger::get).tag("writer", name)
        .description("rows accepted and waiting to be committed").register(registry);
    Gauge.builder("foyer.writer.drain.rows.per.second", this, BatchingWriter::drainRate).tag("writer", name)
        .description("rows committed per second while working off a backlog (0: not measured yet)")
        .register(registry);
    Gauge.builder("foyer.writer.expected.wait", this, writer -> writer.expectedWait().toMillis() / 1000.0)
        .tag("writer", name).baseUnit("seconds")
        .description("how long the queued rows would take to commit at the drain rate").register(registry);
    batchSizes = DistributionSummary.builder("foyer.writer.batch.rows").tag("writer", name)
        .description("rows per committed batch").register(registry);
    return this;
  }

  /** Rows accepted but not yet committed. */
  public int queued() {
    return queued.get();
  }

  /** Rows committed per second while working off a backlog, recently; 0 until a backlog was drained. */
  public double drainRate() {
    return drainRate.rowsPerSecond(System.nanoTime());
  }

  /** How long the rows queued and in flight now would take to commit at the drain rate; zero while unknown. */
  public Duration expectedWait() {
    return Duration.ofMillis(drainRate.expectedWaitMillis(queued.get() + inFlightRows.get(), System.nanoTime()));
  }

  /** Batches committed or failed since start. */
  public long batches() {
    return batches.get();
  }

  /** Rows whose write completed successfully since start. */
  public long rowsWritten() {
    return rowsWritten.get();
  }

  /** Refuses new rows and completes once every accepted row has been written. */
  public Future<Void> close() {
    closed = true;
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      drained = done;
      pump();
    });
    return done.future();
  }

  private boolean waitsTooLong(int waiting, long expectedWaitMillis) {
    return !config.maxExpectedWait().isZero() && waiting > config.maxBatchRows()
        && expectedWaitMillis > config.maxExpectedWait().toMillis();
  }

  private void schedulePump() {
    if (pumpScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        pumpScheduled.set(false);
        pump();
      });
    }
  }

  private void pump() {
    while (inFlight < config.maxConcurrentBatches() && queued.get() > 0) {
      boolean full = queued.get() >= config.maxBatchRows();
      Pending<T, R> oldest = queue.peek();
      if (oldest == null) {
        // submit() counts a row before it queues it; its schedulePump() follows, so there is nothing to do yet
        break;
      }
      long lingerLeft = config.linger().toNanos() - (System.nanoTime() - oldest.queuedAt());
      if (!full && !closed && lingerLeft > 0) {
        armLinger(lingerLeft);
        return;
      }
      if (!startBatch()) {
        break;
      }
    }
    if (drained != null && inFlight == 0 && queued.get() == 0) {
      drained.tryComplete();
    }
  }

  private void armLinger(long nanos) {
    if (lingerTimer < 0) {
      lingerTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)), id -> {
        lingerTimer = -1;
        pump();
      });
    }
  }

  /** Returns false, starting nothing, when the queue is still empty. */
  private boolean startBatch() {
    List<Pending<T, R>> batch = new ArrayList<>(Math.min(queued.get(), config.maxBatchRows()));
    Pending<T, R> next;
    while (batch.size() < config.maxBatchRows() && (next = queue.poll()) != null) {
      batch.add(next);
    }
    if (batch.isEmpty()) {
      return false;
    }
    if (lingerTimer >= 0) {
      vertx.cancelTimer(lingerTimer);
      lingerTimer = -1;
    }
    inFlightRows.addAndGet(batch.size());
    int waitingBehind = queued.addAndGet(-batch.size());
    boolean atCapacity = waitingBehind > 0 || batch.size() == config.maxBatchRows();
    inFlight++;
    drainRate.batchStarted(System.nanoTime());
    writeBatch(batch).onComplete(ar -> onWriterContext(() -> {
      inFlight--;
      inFlightRows.addAndGet(-batch.size());
      boolean counted = atCapacity && ar.succeeded() && ar.result();
      drainRate.batchEnded(System.nanoTime(), counted ? batch.size() : 0, inFlight > 0);
      pump();
    }));
    return true;
  }

  /**
   * Writes a batch and settles every row of it, whatever happens: the Future completes, with whether the
   * batch committed as one, once each row's promise is completed, and no exception (of the statement, of the
   * settling, of a caller's callback) can leave a row without its answer.
   */
  private Future<Boolean> writeBatch(List<Pending<T, R>> batch) {
    List<T> rows = batch.stream().map(Pending::row).toList();
    return atomically(rows)
        .transform(ar -> {
          try {
            return settle(batch, ar).map(fits(ar, batch.size()));
          } catch (RuntimeException e) {
            log.error("The {} writer could not settle a batch of {} rows; each fails", name, batch.size(), e);
            batch.forEach(pending -> complete(pending, null, e));
            return Future.succeededFuture(false);
          }
        });
  }

  private Future<List<R>> atomically(List<T> rows) {
    return atomicity == Atomicity.ONE_STATEMENT ? pool.withConnection(connection -> write(connection, rows))
        : pool.withTransaction(connection -> write(connection, rows));
  }

  /** The statement's Future; a statement that throws, or returns no Future, fails (and rolls back) instead. */
  private Future<List<R>> write(SqlConnection connection, List<T> rows) {
    try {
      Future<List<R>> written = statement.write(connection, rows);
      return written != null ? written
          : Future.failedFuture(new IllegalStateException(name + " writer statement returned no Future"));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Void> settle(List<Pending<T, R>> batch, AsyncResult<List<R>> ar) {
    batches.incrementAndGet();
    if (fits(ar, batch.size())) {
      rowsWritten.addAndGet(batch.size());
      if (batchSizes != null) {
        batchSizes.record(batch.size());
      }
      for (int i = 0; i < batch.size(); i++) {
        complete(batch.get(i), ar.result().get(i), null);
      }
      return Future.succeededFuture();
    }
    Throwable failure = ar.succeeded()
        ? new IllegalStateException(name + " writer returned "
            + (ar.result() == null ? "no" : String.valueOf(ar.result().size())) + " results for "
            + batch.size() + " rows")
        : ar.cause();
    if (StoreFailures.isTransient(failure)) {
      // the database is unreachable or overloaded: no row is to blame, each caller may retry
      ProblemException unavailable = new ProblemException(ProblemType.UNAVAILABLE,
          "the database is unavailable; retry shortly");
      batch.forEach(pending -> complete(pending, null, unavailable));
      return Future.succeededFuture();
    }
    if (batch.size() == 1) {
      complete(batch.get(0), null, failure);
      return Future.succeededFuture();
    }
    return writeOneByOne(batch, 0);
  }

  private static boolean fits(AsyncResult<? extends List<?>> ar, int rows) {
    return ar.succeeded() && ar.result() != null && ar.result().size() == rows;
  }

  /** After a failed batch, isolates the bad rows: each row gets its own transaction and its own outcome. */
  private Future<Void> writeOneByOne(List<Pending<T, R>> batch, int index) {
    if (index == batch.size()) {
      return Future.succeededFuture();
    }
    Pending<T, R> pending = batch.get(index);
    return atomically(List.of(pending.row()))
        .transform(ar -> {
          if (fits(ar, 1)) {
            rowsWritten.incrementAndGet();
            complete(pending, ar.result().get(0), null);
          } else {
            complete(pending, null, ar.succeeded() ? new IllegalStateException("no result for row") : ar.cause());
          }
          return writeOneByOne(batch, index + 1);
        });
  }

  private void onWriterContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /**
   * Completes a row's promise on its caller's context. A row is completed once (a second outcome is ignored),
   * and a caller's callback that throws is logged: run inline it would otherwise propagate here and stop the
   * rows after it in the batch from ever being answered.
   */
  private void complete(Pending<T, R> pending, R result, Throwable failure) {
    Runnable action = () -> {
      try {
        if (failure == null) {
          pending.promise().tryComplete(result);
        } else {
          pending.promise().tryFail(failure);
        }
      } catch (RuntimeException e) {
        log.error("A caller's callback on a {} write failed", name, e);
      }
    };
    if (pending.caller() == null || pending.caller() == context) {
      action.run();
    } else {
      pending.caller().runOnContext(v -> action.run());
    }
  }
}
