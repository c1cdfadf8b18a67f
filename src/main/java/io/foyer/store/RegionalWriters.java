package io.foyer.store;

import io.foyer.problem.ProblemException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * One group-committing writer per region's database: a batch is one transaction, and a transaction reaches one
 * database, so the rows of events of different regions are batched apart, each acknowledged once its own
 * database committed. Without regions there is one writer, named as it always was.
 */
public final class RegionalWriters<T, R> {

  private final RegionalStores stores;
  private final Map<String, BatchingWriter<T, R>> writers = new LinkedHashMap<>();

  /**
   * @param name the writer's name (in errors and metrics); the node's own region's writer keeps it as it is, so
   *     that dashboards and the ops view read as without regions, another region's is name@region
   * @param create makes a writer on a pool, given its name
   */
  public RegionalWriters(RegionalStores stores, String name,
      BiFunction<Pool, String, BatchingWriter<T, R>> create) {
    this.stores = stores;
    stores.all().forEach((region, pool) -> writers.put(region,
        create.apply(pool, region.equals(stores.homeRegion()) ? name : name + "@" + region)));
  }

  /** The writer of the event's home database; fails with not-found when no region has the event. */
  public Future<BatchingWriter<T, R>> of(long eventId) {
    return stores.homeOf(eventId).map(home -> writers.get(home.region()));
  }

  /** Queues a row of the event with its database's writer; completes once that database committed it. */
  public Future<R> submit(long eventId, T row) {
    return of(eventId).compose(writer -> writer.submit(row));
  }

  /** The writer of the node's own database (the only one without regions). */
  public BatchingWriter<T, R> home() {
    return writers.get(stores.homeRegion());
  }

  public Collection<BatchingWriter<T, R>> all() {
    return writers.values();
  }

  /** The refusal a row would get now from a writer that refuses (overload), or null when every one accepts. */
  public ProblemException refusal() {
    for (BatchingWriter<T, R> writer : writers.values()) {
      ProblemException refusal = writer.refusal();
      if (refusal != null) {
        return refusal;
      }
    }
    return null;
  }

  /** Writes everything each writer accepted, then stops them. */
  public Future<Void> close() {
    List<Future<Void>> closed = writers.values().stream().map(BatchingWriter::close).toList();
    return Future.join(closed).mapEmpty();
  }
}
