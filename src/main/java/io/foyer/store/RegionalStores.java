package io.foyer.store;

import io.foyer.config.FoyerConfig;
import io.foyer.config.FoyerConfig.PgConfig;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Data residency: the one place that answers "which database holds event X". Without regions configured there is
 * one database, the node's own, and every answer is it at once (no look-up, no other behaviour). With regions,
 * each region has a database of its own; an event's home region is found by looking the event up in every region's
 * database on a cache miss, and kept for good (the home never changes). Only events found are kept, never "no such
 * event", so made-up ids cannot grow the cache.
 *
 * <p>Ids that name a row on their own, outside its event (events, sessions, polls and quizzes: in URLs, topic names
 * and LiveState keys), would collide between databases that each count from 1. With regions they are allocated
 * here instead: time-ordered (so that "ORDER BY id" keeps meaning creation order), far above anything a sequence
 * reaches, below 2^53 (exact in JavaScript), and checked absent from every region's database.
 */
public final class RegionalStores {

  /** An event's home: its region and that region's pool. */
  public record Home(String region, Pool pool) {}

  /** Allocated ids are (epoch milliseconds << RANDOM_BITS) | random bits: below 2^53 until the year 2248. */
  private static final int RANDOM_BITS = 10;
  private static final int ID_ATTEMPTS = 5;
  // the events table is the events capability's; this look-up reads only whether an id is there
  private static final String EVENT_EXISTS = "SELECT 1 FROM events WHERE id = $1";

  private final String homeRegion;
  private final Map<String, Pool> pools;
  private final List<Store> stores;
  /** Each region's store where this node opened one (not for {@link #single}), for readiness probes. */
  private final Map<String, Store> byRegion;
  private final boolean regional;
  private final Map<Long, String> homes = new ConcurrentHashMap<>();
  /** Look-ups in flight, shared by every request that misses the same event meanwhile. */
  private final Map<Long, Future<String>> lookups = new ConcurrentHashMap<>();
  private final AtomicLong lastId = new AtomicLong();

  private RegionalStores(String homeRegion, Map<String, Pool> pools, Map<String, Store> byRegion, List<Store> stores,
      boolean regional) {
    this.byRegion = Map.copyOf(byRegion);
    this.homeRegion = homeRegion;
    this.pools = Collections.unmodifiableMap(pools);
    this.stores = List.copyOf(stores);
    this.regional = regional;
  }

  /** One database for everything: how a node without regions runs, and what tests of one capability use. */
  public static RegionalStores single(String region, Pool pool) {
    return new RegionalStores(region, Map.of(region, pool), Map.of(), List.of(), false);
  }

  /**
   * The node's own store (already open: pg.url, the embedded server, or its region's listed URL) and, with regions
   * configured, every other region's database: each migrated (off the event loop, as {@link Store#open} does) and
   * pooled, one after the other. A failure closes what was opened here and fails the whole.
   */
  public static Future<RegionalStores> open(Vertx vertx, FoyerConfig config, Store own) {
    String home = config.node().region();
    Map<String, Pool> pools = new LinkedHashMap<>();
    Map<String, Store> byRegion = new LinkedHashMap<>();
    pools.put(home, own.pool());
    byRegion.put(home, own);
    if (!config.regions().configured()) {
      return Future.succeededFuture(new RegionalStores(home, pools, byRegion, List.of(), false));
    }
    List<Store> opened = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, String> region : config.regions().pgUrls().entrySet()) {
      if (region.getKey().equals(home)) {
        continue;
      }
      PgConfig pg = new PgConfig(region.getValue(), config.pg().poolSize(), config.pg().embeddedDataDir(),
          config.pg().embeddedPort());
      chain = chain.compose(v -> Store.open(vertx, pg)
          // the operator fixes a region by its key: say which
          .recover(err -> Future.failedFuture(new IllegalStateException("region " + region.getKey() + " ("
              + "regions." + region.getKey() + ".pgUrl): " + err.getMessage(), err))))
          .map(store -> {
            opened.add(store);
            pools.put(region.getKey(), store.pool());
            byRegion.put(region.getKey(), store);
            return null;
          });
    }
    return chain.map(v -> new RegionalStores(home, pools, byRegion, opened, true))
        .recover(err -> closeAll(vertx, opened).transform(x -> Future.failedFuture(err)));
  }

  /** The PostgreSQL configuration of the node's own database: its region's listed URL, else pg.url. */
  public static PgConfig ownDatabase(FoyerConfig config) {
    String listed = config.regions().pgUrls().get(config.node().region());
    PgConfig pg = config.pg();
    return listed == null ? pg : new PgConfig(listed, pg.poolSize(), pg.embeddedDataDir(), pg.embeddedPort());
  }

  /** Whether regions are configured (else one database holds everything). */
  public boolean regional() {
    return regional;
  }

  /** The node's own region, the home of the events it creates unless told otherwise. */
  public String homeRegion() {
    return homeRegion;
  }

  /** The node's own database: for node-level rows (node starts) and for what belongs to no event. */
  public Pool home() {
    return pools.get(homeRegion);
  }

  /** Every region's name and pool, the node's own first. */
  public Map<String, Pool> all() {
    return pools;
  }

  /** Whether a region's database answers, on a connection of its own where there is one (readiness). */
  public Future<Void> probe(String region) {
    Store store = byRegion.get(region);
    return store != null ? store.probe() : ofRegion(region).query("SELECT 1").execute().mapEmpty();
  }

  public boolean knows(String region) {
    return pools.containsKey(region);
  }

  /** The pool of a known region. */
  public Pool ofRegion(String region) {
    Pool pool = pools.get(region);
    if (pool == null) {
      throw new IllegalArgumentException("no region " + region);
    }
    return pool;
  }

  /** The pool of the database that holds the event; fails with not-found when no region has the event. */
  public Future<Pool> ofEvent(long eventId) {
    return homeOf(eventId).map(Home::pool);
  }

  /** The event's home region and its pool; fails with not-found when no region has the event. */
  public Future<Home> homeOf(long eventId) {
    if (!regional) {
      return Future.succeededFuture(new Home(homeRegion, home()));
    }
    String known = homes.get(eventId);
    if (known != null) {
      return Future.succeededFuture(new Home(known, pools.get(known)));
    }
    return lookUp(eventId).map(region -> new Home(region, pools.get(region)));
  }

  /** How many events' homes are kept: for the test that made-up ids leave nothing behind. */
  int homesKept() {
    return homes.size() + lookups.size();
  }

  /** Records the home of an event just created, so that no look-up is needed for it. */
  public void remember(long eventId, String region) {
    if (regional) {
      homes.put(eventId, region);
    }
  }

  /**
   * An id for a new row of the table (events, sessions, polls, quizzes) that no region's database holds, or null
   * without regions: then the table's own sequence numbers it, as always.
   */
  public Future<Long> newId(String table) {
    if (!regional) {
      return Future.succeededFuture();
    }
    if (!table.matches("[a-z_]+")) {
      throw new IllegalArgumentException("not a table name: " + table);
    }
    return newId("SELECT 1 FROM " + table + " WHERE id = $1", ID_ATTEMPTS);
  }

  private Future<Long> newId(String exists, int attempts) {
    long id = nextId();
    List<Future<Boolean>> taken = pools.values().stream()
        .map(pool -> pool.preparedQuery(exists).execute(Tuple.of(id)).map(rows -> rows.size() > 0)).toList();
    return Future.all(taken).compose(all -> {
      if (taken.stream().noneMatch(Future::result)) {
        return Future.succeededFuture(id);
      }
      return attempts > 1 ? newId(exists, attempts - 1)
          : Future.failedFuture(new IllegalStateException("no free id found in " + ID_ATTEMPTS + " attempts"));
    });
  }

  /** Time-ordered and increasing on this node; the random low bits keep two nodes' ids of one millisecond apart. */
  private long nextId() {
    long candidate = (System.currentTimeMillis() << RANDOM_BITS)
        | ThreadLocalRandom.current().nextInt(1 << RANDOM_BITS);
    return lastId.accumulateAndGet(candidate, (last, next) -> Math.max(last + 1, next));
  }

  /** Asks every region's database for the event, once however many requests miss it meanwhile. */
  private Future<String> lookUp(long eventId) {
    Context caller = Vertx.currentContext();
    Promise<String> started = Promise.promise();
    Future<String> shared = lookups.putIfAbsent(eventId, started.future());
    if (shared == null) {
      shared = started.future();
      findHome(eventId).onComplete(found -> {
        lookups.remove(eventId, started.future());
        if (found.succeeded()) {
          homes.put(eventId, found.result());
        }
        started.handle(found);
      });
    }
    // the look-up completes on its starter's context; each waiting request continues on its own
    Promise<String> mine = Promise.promise();
    shared.onComplete(found -> {
      if (caller == null) {
        mine.handle(found);
      } else {
        caller.runOnContext(v -> mine.handle(found));
      }
    });
    return mine.future();
  }

  /** The region whose database has the event; not-found when none has it. */
  private Future<String> findHome(long eventId) {
    return firstFound((region, pool) -> pool.preparedQuery(EVENT_EXISTS).execute(Tuple.of(eventId))
            .map(rows -> rows.size() > 0 ? region : null))
        .compose(region -> region != null ? Future.succeededFuture(region)
            : Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND, "no event " + eventId)));
  }

  /**
   * Asks every region's database at once, for what is in one of them only (a row whose id is unique across them):
   * the first answer that is not null, in the order of the regions, or null when every database answered null. A
   * database that cannot answer does not make the row absent: when no other has it, this fails with that
   * database's failure (retryable), not with null.
   */
  public <T> Future<T> firstFound(BiFunction<String, Pool, Future<T>> ask) {
    List<Future<T>> answers = pools.entrySet().stream().map(e -> ask.apply(e.getKey(), e.getValue())).toList();
    return Future.join(answers).transform(ignored -> {
      Throwable failure = null;
      for (Future<T> answer : answers) {
        if (answer.succeeded() && answer.result() != null) {
          return Future.succeededFuture(answer.result());
        }
        failure = failure == null && answer.failed() ? answer.cause() : failure;
      }
      return failure != null ? Future.failedFuture(failure) : Future.succeededFuture();
    });
  }

  /** Asks every region's database at once, for rows of every event (sweeps, listings); the answers together. */
  public <T> Future<List<T>> fromEvery(Function<Pool, Future<List<T>>> ask) {
    List<Future<List<T>>> answers = pools.values().stream().map(ask).toList();
    return Future.all(answers).map(all -> answers.stream().flatMap(answer -> answer.result().stream()).toList());
  }

  /** Closes the pools of the other regions (the node's own store is closed by its opener). */
  public Future<Void> close(Vertx vertx) {
    return closeAll(vertx, stores);
  }

  private static Future<Void> closeAll(Vertx vertx, List<Store> stores) {
    Future<Void> chain = Future.succeededFuture();
    for (Store store : stores) {
      chain = chain.eventually(() -> store.close(vertx));
    }
    return chain;
  }
}
