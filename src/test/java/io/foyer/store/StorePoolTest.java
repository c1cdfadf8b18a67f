package io.foyer.store;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.testing.TestServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's PostgreSQL pool under contention from several event loops: no pooled request may be completed twice
 * (Vert.x 5.0.x can do that when waiting for a connection has a time-out; see {@link Store}).
 */
class StorePoolTest {

  private Vertx vertx;
  private final List<Throwable> unhandled = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx.exceptionHandler(unhandled::add);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void transactionsFromSeveralEventLoopsQueuedForOneConnectionCompleteOnce() throws Exception {
    PoolOptions options = Store.poolOptions(1);
    // the race is inside Vert.x and rare (once in a few thousand queued acquisitions at most, reported 30 s
    // later): what guards against it is that no acquisition timer exists
    assertThat(options.getConnectionTimeout()).as("acquisition time-out (see Store.connect)").isZero();

    int done = contend(pool(options, TestServices.pgUrl()), 4, 1500);
    Thread.sleep(300);

    assertThat(done).isPositive();
    assertThat(unhandled).isEmpty();
  }

  private Pool pool(PoolOptions options, String url) {
    return PgBuilder.pool().with(options).connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
  }

  /** Runs transactions back to back from each of `loops` event loops for `millis`; returns how many committed. */
  private int contend(Pool pool, int loops, long millis) throws Exception {
    long until = System.currentTimeMillis() + millis;
    List<Future<Integer>> all = new ArrayList<>();
    for (int i = 0; i < loops; i++) {
      Context context = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
      for (int j = 0; j < 3; j++) {
        Promise<Integer> finished = Promise.promise();
        context.runOnContext(v -> loop(pool, until, 0, finished));
        all.add(finished.future());
      }
    }
    int total = 0;
    for (Future<Integer> one : all) {
      total += await(one);
    }
    return total;
  }

  private void loop(Pool pool, long until, int count, Promise<Integer> finished) {
    if (System.currentTimeMillis() > until) {
      finished.complete(count);
      return;
    }
    pool.withTransaction(connection -> connection.query("SELECT 1").execute())
        .onComplete(ar -> loop(pool, until, ar.succeeded() ? count + 1 : count, finished));
  }
}
