package io.foyer.store;

import io.vertx.pgclient.PgException;

/**
 * Tells failures of the availability of PostgreSQL or Redis (retry later) from failures of the data (never
 * retry).
 */
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
    if (failure.getClass().getName().startsWith("io.vertx.redis.client.")) {
      // Redis reports a lost connection as an error reply; WRONGTYPE and the like are the data's fault
      String message = String.valueOf(failure.getMessage());
      return message.startsWith("CONNECTION_CLOSED") || message.startsWith("LOADING") || message.startsWith("BUSY")
          || message.startsWith("TRYAGAIN") || message.startsWith("MASTERDOWN");
    }
    String name = failure.getClass().getSimpleName();
    return name.contains("Timeout") || name.contains("ClosedConnection") || name.contains("Connect");
  }
}
