package io.foyer.store;

import static io.foyer.store.BatchingWriter.Atomicity.ONE_STATEMENT;
import static io.foyer.store.BatchingWriter.Atomicity.TRANSACTION;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.config.FoyerConfig.WriterConfig;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.testing.TestServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Group commit against a real PostgreSQL: acknowledged means committed, nothing accepted is lost. */
@ExtendWith(VertxExtension.class)
class BatchingWriterTest {

  /** Tests of other behaviour than the bound on the expected wait turn it off. */
  private static final Duration NO_WAIT_BOUND = Duration.ZERO;
  private static final WriterConfig FAST = new WriterConfig(100, Duration.ofMillis(2), 10_000, 2, NO_WAIT_BOUND);

  private Vertx vertx;
  private Pool pool;
  private Pool observer;
  private String table;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    pool = pool(4);
    observer = pool(1);
    table = TestServices.unique("writes").replace('-', '_');
    await(pool.query("CREATE TABLE " + table + " (id INT PRIMARY KEY, amount INT NOT NULL CHECK (amount >= 0))")
        .execute());
  }

  @AfterEach
  void tearDown() throws Exception {
    await(pool.query("DROP TABLE IF EXISTS " + table).execute());
    await(vertx.close());
  }

  @Test
  void rowsFromManySubmittersShareFewTransactionsAndAllCommit() throws Exception {
    BatchingWriter<Integer, Integer> writer = writer(FAST);
    List<Future<Integer>> acks = submitFromContexts(writer, 2000, 4);

    await(Future.all(acks));

    assertThat(count()).isEqualTo(2000);
    assertThat(writer.rowsWritten()).isEqualTo(2000);
    assertThat(writer.batches()).as("batches for 2000 rows").isLessThan(200);
  }

  @Test
  void anAcknowledgedRowIsAlreadyVisibleToOtherConnections(VertxTestContext ctx) {
    BatchingWriter<Integer, Integer> writer = writer(FAST);
    Checkpoint visibleAtAck = ctx.checkpoint(50);
    for (int id = 0; id < 50; id++) {
      int row = id;
      writer.submit(row).compose(ack -> observer
          .preparedQuery("SELECT count(*) FROM " + table + " WHERE id = $1").execute(Tuple.of(row))
          .map(rows -> rows.iterator().next().getLong(0)))
          .onComplete(ctx.succeeding(seen -> ctx.verify(() -> {
            assertThat(seen).as("row %d seen from another connection once acknowledged", row).isEqualTo(1);
            visibleAtAck.flag();
          })));
    }
  }

  @Test
  void aFullQueueRefusesAtOnceWithARetryableErrorAndLosesNothingAccepted() throws Exception {
    // a long linger and large batches keep the first rows queued while the queue fills
    BatchingWriter<Integer, Integer> writer = writer(
        new WriterConfig(1000, Duration.ofMillis(500), 10, 1, NO_WAIT_BOUND));
    List<Future<Integer>> accepted = IntStream.range(0, 10).mapToObj(writer::submit).toList();

    Future<Integer> refused = writer.submit(10);

    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause()).isInstanceOf(ProblemException.class);
    assertThat(((ProblemException) refused.cause()).type()).isEqualTo(ProblemType.OVERLOADED);
    assertThat(ProblemType.OVERLOADED.retryable()).isTrue();
    await(Future.all(accepted));
    assertThat(count()).isEqualTo(10);
  }

  @Test
  void aBadRowFailsAloneAndItsBatchNeighboursCommit() throws Exception {
    BatchingWriter<Integer, Integer> writer = writer(
        new WriterConfig(100, Duration.ofMillis(20), 1000, 1, NO_WAIT_BOUND));
    List<Future<Integer>> good = new ArrayList<>();
    for (int id = 1; id <= 20; id++) {
      good.add(writer.submit(id));
    }
    Future<Integer> bad = writer.submit(-1); // violates amount >= 0

    await(Future.all(good));
    await(bad.otherwiseEmpty());
    assertThat(bad.cause()).isInstanceOf(PgException.class);
    assertThat(count()).isEqualTo(20);
  }

  @Test
  void aDatabaseThatIsUnavailableFailsTheBatchWithARetryableErrorAndBlamesNoRow() throws Exception {
    BatchingWriter<Integer, Integer> writer = new BatchingWriter<>(vertx.getOrCreateContext(), pool, FAST, "flaky", ONE_STATEMENT, (connection, rows) ->
        connection.query("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$").execute()
            .map(r -> rows));
    List<Future<Integer>> rows = IntStream.range(0, 20).mapToObj(writer::submit).toList();

    await(Future.join(rows).otherwiseEmpty());

    assertThat(rows).allSatisfy(row -> {
      assertThat(row.cause()).isInstanceOf(ProblemException.class);
      assertThat(((ProblemException) row.cause()).type()).isEqualTo(ProblemType.UNAVAILABLE);
    });
    assertThat(writer.batches()).as("no one-by-one retries").isLessThan(20);
  }

  @Test
  void eachSubmitterIsAnsweredOnItsOwnContext(VertxTestContext ctx) {
    BatchingWriter<Integer, Integer> writer = writer(FAST);
    Checkpoint answered = ctx.checkpoint(40);
    for (int i = 0; i < 4; i++) {
      int base = i * 10;
      Context submitter = vertx.getOrCreateContext();
      submitter.runOnContext(v -> IntStream.range(base, base + 10).forEach(id -> writer.submit(id)
          .onComplete(ctx.succeeding(ack -> ctx.verify(() -> {
            assertThat(Vertx.currentContext()).as("context answering row %d", id).isSameAs(submitter);
            answered.flag();
          })))));
    }
  }

  @Test
  void aCallerWhoseCallbackThrowsDoesNotCostTheRestOfItsBatchTheirAnswers() throws Exception {
    // a long linger gathers all rows into one batch; submitted from a plain thread, they are answered inline
    BatchingWriter<Integer, Integer> writer = writer(
        new WriterConfig(100, Duration.ofMillis(300), 1000, 1, NO_WAIT_BOUND));
    writer.submit(0).onSuccess(id -> {
      throw new IllegalStateException("a caller's bug");
    });
    List<Future<Integer>> others = IntStream.range(1, 20).mapToObj(writer::submit).toList();

    assertThat(await(Future.all(others)).<Integer>list()).hasSize(19);
    assertThat(count()).isEqualTo(20);
  }

  @Test
  void aStatementThatThrowsFailsItsBadRowAloneAndTheWriterCarriesOn() throws Exception {
    BatchingWriter.BatchStatement<Integer, Integer> insert = insert();
    BatchingWriter<Integer, Integer> writer = new BatchingWriter<>(vertx.getOrCreateContext(), pool,
        new WriterConfig(100, Duration.ofMillis(50), 1000, 1, NO_WAIT_BOUND), "throwing", ONE_STATEMENT,
        (connection, rows) -> {
          if (rows.contains(-1)) {
            throw new IllegalArgumentException("cannot write -1");
          }
          return insert.write(connection, rows);
        });
    List<Future<Integer>> good = IntStream.range(1, 10).mapToObj(writer::submit).toList();
    Future<Integer> bad = writer.submit(-1);

    await(Future.all(good));
    await(bad.otherwiseEmpty());
    assertThat(bad.cause()).isInstanceOf(IllegalArgumentException.class);
    List<Future<Integer>> after = IntStream.range(10, 60).mapToObj(writer::submit).toList();
    await(Future.all(after));
    assertThat(count()).isEqualTo(59);
  }

  @Test
  void aBatchOfSeveralStatementsIsOneTransaction() throws Exception {
    // a batch holding row 1000 inserts its rows, then a row that breaks the CHECK: nothing of it may stay
    BatchingWriter.BatchStatement<Integer, Integer> insert = insert();
    BatchingWriter<Integer, Integer> writer = new BatchingWriter<>(vertx.getOrCreateContext(), pool, FAST,
        "two statements", TRANSACTION, (connection, rows) -> insert.write(connection, rows)
            .compose(ids -> rows.contains(1000) ? insert.write(connection, List.of(-2)) : Future.succeededFuture(ids)));
    Future<Integer> bad = writer.submit(1000);
    List<Future<Integer>> good = IntStream.range(1, 10).mapToObj(writer::submit).toList();

    await(Future.all(good));
    await(bad.otherwiseEmpty());

    assertThat(bad.failed()).isTrue();
    assertThat(count()).as("the good rows, written again one by one; none of the failed attempts").isEqualTo(9);
  }

  @Test
  void closingWritesEverythingAcceptedThenRefusesNewRows() throws Exception {
    BatchingWriter<Integer, Integer> writer = writer(
        new WriterConfig(1000, Duration.ofSeconds(5), 10_000, 1, NO_WAIT_BOUND));
    List<Future<Integer>> accepted = IntStream.range(0, 300).mapToObj(writer::submit).toList();

    await(writer.close());

    assertThat(accepted).allMatch(Future::succeeded);
    assertThat(count()).isEqualTo(300);
    Future<Integer> late = writer.submit(999);
    assertThat(late.failed()).isTrue();
    assertThat(((ProblemException) late.cause()).type()).isEqualTo(ProblemType.UNAVAILABLE);
  }

  @Test
  void underOverloadRowsAreRefusedAtOnceOnceTheExpectedWaitPassesTheTargetAndEveryAcceptedRowCommits()
      throws Exception {
    BatchingWriter<Integer, Integer> writer = slowWriter(Duration.ofMillis(250));

    List<Offered> offered = offer(writer, 3000);

    List<Offered> accepted = offered.stream().filter(o -> !o.refusedOnReturn()).toList();
    List<Offered> refused = offered.stream().filter(Offered::refusedOnReturn).toList();
    await(Future.join(accepted.stream().map(Offered::answer).toList()).otherwiseEmpty());
    assertThat(accepted).as("accepted rows").allSatisfy(o -> assertThat(o.answer().succeeded()).isTrue());
    assertThat(count()).isEqualTo(accepted.size());
    assertThat(refused).as("refused rows").isNotEmpty().allSatisfy(o -> {
      ProblemException problem = (ProblemException) o.answer().cause();
      assertThat(problem.type()).isEqualTo(ProblemType.OVERLOADED);
      assertThat(problem.retryAfterSeconds()).isPositive();
    });
    assertThat(offered.get(0).refusedOnReturn()).as("the first row, before any rate was measured").isFalse();
    assertThat(percentile99(refused.stream().mapToLong(Offered::submitNanos)))
        .as("nanoseconds to refuse").isLessThan(TimeUnit.MILLISECONDS.toNanos(10));
    // unbounded, the last of 3000 rows would wait some 8 s; before the first refusal, rows queued while no
    // rate was known yet (the first batches also open connections and prepare statements)
    List<Offered> acceptedUnderTheBound = offered.subList(offered.indexOf(refused.get(0)), offered.size()).stream()
        .filter(o -> !o.refusedOnReturn()).toList();
    assertThat(acceptedUnderTheBound).as("rows accepted between refusals").isNotEmpty();
    assertThat(acceptedUnderTheBound.stream().mapToLong(Offered::ackNanos).max().orElseThrow())
        .as("their slowest acknowledgement, ns").isLessThan(TimeUnit.SECONDS.toNanos(1));
  }

  @Test
  void underASteadyStreamBatchesStartALingerApartAndGrowWithTheLoad() throws Exception {
    // each batch spends 20 ms in the database; a row comes every 2 ms for a second; batches may start 100 ms apart
    BatchingWriter.BatchStatement<Integer, Integer> insert = insert();
    BatchingWriter<Integer, Integer> writer = new BatchingWriter<>(vertx.getOrCreateContext(), pool,
        new WriterConfig(1000, Duration.ofMillis(100), 10_000, 2, NO_WAIT_BOUND), "paced rows", TRANSACTION,
        (connection, rows) -> connection.query("SELECT pg_sleep(0.02)").execute()
            .compose(slept -> insert.write(connection, rows)));
    List<Future<Integer>> acks = new CopyOnWriteArrayList<>();
    Promise<Void> offered = Promise.promise();
    vertx.setPeriodic(2, id -> {
      acks.add(writer.submit(acks.size()));
      if (acks.size() == 500) {
        vertx.cancelTimer(id);
        offered.complete();
      }
    });
    await(offered.future());
    await(Future.all(acks));

    assertThat(count()).isEqualTo(500);
    // started as soon as a batch slot is free, each batch would take the rows of the last 10-20 ms: 50 or more
    assertThat(writer.batches()).as("batches for a second of rows").isBetween(8L, 16L);
  }

  @Test
  void withNoTargetNothingIsRefusedForTheWaitAlone() throws Exception {
    BatchingWriter<Integer, Integer> writer = slowWriter(Duration.ZERO);

    List<Offered> offered = offer(writer, 600);

    assertThat(writer.expectedWait()).as("the wait a target of 250 ms would have refused")
        .isGreaterThan(Duration.ofMillis(250));
    assertThat(offered).noneMatch(Offered::refusedOnReturn);
    await(Future.all(offered.stream().map(Offered::answer).toList()));
    assertThat(count()).isEqualTo(600);
    assertThat(writer.drainRate()).as("the rate is measured all the same").isPositive();
  }

  private BatchingWriter<Integer, Integer> writer(WriterConfig config) {
    return new BatchingWriter<>(vertx.getOrCreateContext(), pool, config, "test rows", ONE_STATEMENT, insert());
  }

  private BatchingWriter.BatchStatement<Integer, Integer> insert() {
    // one statement per batch: the ids travel as one array parameter
    String sql = "INSERT INTO " + table + " (id, amount) SELECT id, id FROM unnest($1::int[]) AS t(id) RETURNING id";
    return (connection, rows) -> connection
        .preparedQuery(sql).execute(Tuple.of(rows.toArray(new Integer[0])))
        .map(result -> {
          List<Integer> ids = new ArrayList<>();
          for (Row row : result) {
            ids.add(row.getInteger(0));
          }
          return ids;
        });
  }

  /**
   * A writer whose every batch (at most 20 rows, one at a time) sleeps 50 ms in the database first: it drains
   * some 350 rows a second.
   */
  private BatchingWriter<Integer, Integer> slowWriter(Duration maxExpectedWait) {
    BatchingWriter.BatchStatement<Integer, Integer> insert = insert();
    return new BatchingWriter<>(vertx.getOrCreateContext(), pool,
        new WriterConfig(20, Duration.ofMillis(1), 10_000, 1, maxExpectedWait), "slow rows", TRANSACTION,
        (connection, rows) -> connection.query("SELECT pg_sleep(0.05)").execute()
            .compose(slept -> insert.write(connection, rows)));
  }

  /** A row offered: how long submit took, whether it came back already refused, when it was answered. */
  private record Offered(Future<Integer> answer, long submitNanos, boolean refusedOnReturn, AtomicLong ackAt,
      long offeredAt) {
    long ackNanos() {
      return ackAt.get() - offeredAt;
    }
  }

  /** Offers rows from a verticle's context, one every millisecond (some three times what the slow writer drains). */
  private List<Offered> offer(BatchingWriter<Integer, Integer> writer, int rows) throws Exception {
    List<Offered> offered = new CopyOnWriteArrayList<>();
    Promise<Void> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(start -> vertx.setPeriodic(1, timer -> {
      if (offered.size() < rows) {
        long offeredAt = System.nanoTime();
        Future<Integer> answer = writer.submit(offered.size());
        long submitNanos = System.nanoTime() - offeredAt;
        AtomicLong ackAt = new AtomicLong();
        offered.add(new Offered(answer, submitNanos, answer.failed(), ackAt, offeredAt));
        answer.onComplete(ar -> ackAt.set(System.nanoTime()));
      }
      if (offered.size() == rows) {
        vertx.cancelTimer(timer);
        done.complete();
      }
    }));
    await(done.future());
    return offered;
  }

  private static long percentile99(LongStream values) {
    long[] sorted = values.sorted().toArray();
    return sorted[(int) Math.floor(0.99 * (sorted.length - 1))];
  }

  private List<Future<Integer>> submitFromContexts(BatchingWriter<Integer, Integer> writer, int rows, int contexts)
      throws Exception {
    List<Future<Integer>> acks = new CopyOnWriteArrayList<>();
    List<Future<Void>> submitted = new ArrayList<>();
    for (int c = 0; c < contexts; c++) {
      int first = c * (rows / contexts);
      Context context = vertx.getOrCreateContext();
      submitted.add(context.executeBlocking(() -> null, false).compose(v -> {
        IntStream.range(first, first + rows / contexts).forEach(id -> acks.add(writer.submit(id)));
        return Future.succeededFuture();
      }));
    }
    await(Future.all(submitted));
    return acks;
  }

  private long count() throws Exception {
    return await(observer.query("SELECT count(*) FROM " + table).execute()).iterator().next().getLong(0);
  }

  private Pool pool(int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size))
        .connectingTo(PgConnectOptions.fromUri(TestServices.pgUrl())).using(vertx).build();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
