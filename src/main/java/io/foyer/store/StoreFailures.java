package io.foyer.store;

import io.vertx.pgclient.PgException;

/** Tells failures of the database's availability (retry later) from failures of the data (never retry). */
public final class StoreFailures {

  private StoreFailures() {}

  /**
   * Connection loss or refusal, pool or statement time-outs, deadlocks and serialization failures,
   * overload and shutdown of the server: the same request may well succeed a moment later.
   */
  public static boolean isTransient(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      return state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57");
    }
    if (failure instanceof java.net.ConnectException || failure instanceof java.io.IOException) {
      return true;
    }
    String name = failure.getClass().getSimpleName();
    return name.contains("Timeout") || name.contains("ClosedConnection") || name.contains("Connect");
  }
}
