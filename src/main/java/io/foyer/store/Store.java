package io.foyer.store;

import io.foyer.config.FoyerConfig.PgConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system of record: a PostgreSQL pool shared by all verticles of a node, on an external server or on the
 * embedded one, with the schema migrated before anything uses it.
 */
public final class Store {

  private static final Logger log = LoggerFactory.getLogger(Store.class);

  private final Pool pool;
  /**
   * One connection of its own for readiness: a probe through the work pool waits behind the work, so a node busy
   * with a connect storm (every pooled connection taken) looked unreachable and its balancer cut its sockets.
   */
  private final Pool probePool;
  private final EmbeddedPostgres embedded;
  private final String url;

  private Store(Pool pool, Pool probePool, EmbeddedPostgres embedded, String url) {
    this.pool = pool;
    this.probePool = probePool;
    this.embedded = embedded;
    this.url = url;
  }

  /** Starts the embedded server when no URL is configured, migrates the schema, and opens the pool. */
  public static Future<Store> open(Vertx vertx, PgConfig config) {
    return vertx.executeBlocking(() -> prepareDatabase(config), false)
        .compose(prepared -> connect(vertx, config, prepared));
  }

  public Pool pool() {
    return pool;
  }

  /** Whether the database answers, on the probe's own connection (readiness). */
  public Future<Void> probe() {
    return probePool.query("SELECT 1").execute().mapEmpty();
  }

  /** Where the store lives, for start-up output: the URL without its password. */
  public String describe() {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    String where = options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    return embedded != null ? "embedded PostgreSQL at " + where + " (data in " + embedded.dataDir() + ")"
        : "PostgreSQL at " + where;
  }

  public boolean embedded() {
    return embedded != null;
  }

  /** Closes the pool and stops the embedded server, if any. */
  public Future<Void> close(Vertx vertx) {
    return pool.close().eventually(probePool::close).eventually(() -> stopEmbedded(vertx, embedded));
  }

  /** Stops an embedded server (if any) on a worker thread: pg_ctl waits for the server to go down. */
  private static Future<Void> stopEmbedded(Vertx vertx, EmbeddedPostgres embedded) {
    return embedded == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      embedded.close();
      return null;
    }, false);
  }

  private record Prepared(String url, EmbeddedPostgres embedded) {}

  private static Prepared prepareDatabase(PgConfig config) throws Exception {
    EmbeddedPostgres embedded = config.embedded()
        ? EmbeddedPostgres.start(config.embeddedDataDir(), config.embeddedPort()) : null;
    String url = embedded != null ? embedded.url() : config.url();
    try {
      int applied = Migrations.migrate(url);
      log.info("Schema up to date ({} migration(s) applied now)", applied);
      return new Prepared(url, embedded);
    } catch (RuntimeException e) {
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }

  /** The options of the node's pool (see {@link #connect} for why there is no acquisition time-out). */
  static PoolOptions poolOptions(int size) {
    return new PoolOptions().setMaxSize(size).setShared(false).setConnectionTimeout(0);
  }

  private static Future<Store> connect(Vertx vertx, PgConfig config, Prepared prepared) {
    // No time-out on waiting for a pooled connection (the default is 30 s). In Vert.x 5.0.x that timer races the
    // pool: a waiter served by a connection another event loop just released is not marked served, so when the
    // timer fires the pool "cancels" it and fails a promise that already succeeded: "IllegalStateException:
    // Promise already completed" logged as an unhandled exception 30 s after a busy moment (seen on two nodes
    // under reconnect churn; fixed in Vert.x 5.1.3, eclipse-vertx/vert.x#6169). Waiting stays bounded without
    // it: the writers bound their own queues, readiness has its own time-out, and an unreachable server fails the
    // connection attempt itself.
    Pool pool = PgBuilder.pool()
        .with(poolOptions(config.poolSize()))
        .connectingTo(PgConnectOptions.fromUri(prepared.url()).setCachePreparedStatements(true))
        .using(vertx)
        .build();
    Pool probePool = PgBuilder.pool().with(poolOptions(1)).connectingTo(PgConnectOptions.fromUri(prepared.url()))
        .using(vertx).build();
    return pool.query("SELECT 1").execute()
        .map(rows -> new Store(pool, probePool, prepared.embedded(), prepared.url()))
        .recover(err -> pool.close().eventually(probePool::close)
            .eventually(() -> stopEmbedded(vertx, prepared.embedded()))
            .transform(ignored -> Future.failedFuture(err)));
  }
}
