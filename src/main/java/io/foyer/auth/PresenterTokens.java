package io.foyer.auth;

import io.foyer.audit.Actor;
import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.http.Times;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.foyer.store.StoreFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Presenter tokens: HS256 JWTs (signed like attendee tokens, with the node's secret) naming a row of
 * presenter_tokens (sub), its event, its session if any, and the role. The signature proves Foyer issued the
 * token; the row, read on every use, proves it is neither revoked nor expired, on whichever node it is shown.
 */
public final class PresenterTokens {

  private static final String ROLE = "presenter";

  private final JWTAuth jwt;
  private final RegionalStores stores;

  PresenterTokens(JWTAuth jwt, RegionalStores stores) {
    this.jwt = jwt;
    this.stores = stores;
  }

  /** An issued token: its row and, only this once, the token itself. */
  public record Issued(UUID id, String token, String name, long eventId, Long sessionId, Instant expiresAt) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("token", token).put("name", name).put("eventId", eventId)
          .put("sessionId", sessionId).put("expiresAt", Times.format(expiresAt));
    }
  }

  /** Stores a new token for the event (and session), audited in the same transaction, and signs it. */
  public Future<Issued> issue(long eventId, Long sessionId, String name, Duration ttl, Actor actor) {
    Instant expiresAt = Instant.now().plus(ttl).truncatedTo(ChronoUnit.SECONDS);
    return stores.ofEvent(eventId).compose(pool -> pool.withTransaction(connection -> connection
        .preparedQuery(PresenterTokenSql.INSERT)
        .execute(Tuple.of(eventId, sessionId, name, expiresAt.atOffset(ZoneOffset.UTC)))
        .map(rows -> rows.iterator().next().getUUID("id"))
        .compose(id -> AuditLog.record(connection, new AuditEntry(actor.name(), "presenter-token.issued", eventId,
                "presenter-token:" + id, new JsonObject().put("name", name).put("sessionId", sessionId)
                    .put("expiresAt", Times.format(expiresAt)), actor.remoteAddress()))
            .map(v -> new Issued(id, sign(id, eventId, sessionId, expiresAt), name, eventId, sessionId, expiresAt)))));
  }

  /** The event's tokens, revoked and expired ones included, without the tokens themselves. */
  public Future<JsonArray> list(long eventId) {
    return stores.ofEvent(eventId).compose(pool -> pool.preparedQuery(PresenterTokenSql.LIST)
        .execute(Tuple.of(eventId))).map(rows -> {
          JsonArray tokens = new JsonArray();
          rows.forEach(row -> tokens.add(toJson(row)));
          return tokens;
        });
  }

  /** Revokes a token of the event (audited); revoking a revoked token again changes nothing. */
  public Future<Void> revoke(long eventId, UUID id, Actor actor) {
    return stores.ofEvent(eventId).compose(pool -> pool.withTransaction(connection -> connection
        .preparedQuery(PresenterTokenSql.LOCK)
        .execute(Tuple.of(id, eventId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND,
                "no presenter token " + id + " in event " + eventId));
          }
          if (rows.iterator().next().getValue("revoked_at") != null) {
            return Future.succeededFuture();
          }
          return connection.preparedQuery(PresenterTokenSql.REVOKE).execute(Tuple.of(id))
              .compose(v -> AuditLog.record(connection, new AuditEntry(actor.name(), "presenter-token.revoked",
                  eventId, "presenter-token:" + id, new JsonObject(), actor.remoteAddress())));
        })));
  }

  /** Signs a token for a stored row; public so that tests can sign one with any expiry. */
  public String sign(UUID id, long eventId, Long sessionId, Instant expiresAt) {
    JsonObject claims = new JsonObject()
        .put("sub", id.toString())
        .put("event", eventId)
        .put("role", ROLE)
        .put("iat", Instant.now().getEpochSecond())
        .put("exp", expiresAt.getEpochSecond());
    if (sessionId != null) {
      claims.put("session", sessionId);
    }
    return AttendeeTokens.sign(jwt, claims);
  }

  /**
   * The presenter a token names, when its signature holds and its row is still valid. Fails with unauthorized
   * when the token is forged, expired, revoked or not a presenter token; with unavailable when the database
   * cannot be asked right now.
   */
  public Future<Presenter> verify(String token) {
    // the token names its event, whose database holds the token's row
    return signed(token).compose(claims -> stores.ofEvent(claims.event())
        .compose(pool -> pool.preparedQuery(PresenterTokenSql.STILL_VALID).execute(Tuple.of(claims.id())))
        .transform(ar -> ar.succeeded() ? stillValid(ar.result())
            : Future.failedFuture(StoreFailures.isTransient(ar.cause())
                ? new ProblemException(ProblemType.UNAVAILABLE, "the token cannot be checked right now; retry shortly")
                // no region holds the token's event: the token is as good as revoked
                : ar.cause() instanceof ProblemException p && p.type() == ProblemType.NOT_FOUND ? invalid()
                : ar.cause())));
  }

  /** Whether a token is a presenter token Foyer signed (revoked or not): no database read. */
  public Future<Boolean> isSigned(String token) {
    return signed(token).map(true).otherwise(false);
  }

  /** What a signed presenter token names: its row and its event. */
  private record Signed(UUID id, long event) {}

  private Future<Signed> signed(String token) {
    return jwt.authenticate(new TokenCredentials(token)).transform(ar -> {
      JsonObject claims = ar.succeeded() ? ar.result().principal() : null;
      if (claims == null || !ROLE.equals(claims.getString("role")) || claims.getString("sub") == null
          || !(claims.getValue("event") instanceof Number event)) {
        return Future.failedFuture(invalid());
      }
      try {
        return Future.succeededFuture(new Signed(UUID.fromString(claims.getString("sub")), event.longValue()));
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(invalid());
      }
    });
  }

  private static Future<Presenter> stillValid(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Future.failedFuture(invalid());
    }
    Row row = rows.iterator().next();
    return Future.succeededFuture(new Presenter(row.getUUID("id"), row.getString("name"), row.getLong("event_id"),
        row.getLong("session_id")));
  }

  private static ProblemException invalid() {
    return new ProblemException(ProblemType.UNAUTHORIZED, "the presenter token is invalid, expired or revoked");
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("name", row.getString("name"))
        .put("eventId", row.getLong("event_id"))
        .put("sessionId", row.getLong("session_id"))
        .put("createdAt", Times.format(row.getOffsetDateTime("created_at")))
        .put("expiresAt", Times.format(row.getOffsetDateTime("expires_at")))
        .put("revokedAt", row.getValue("revoked_at") == null ? null
            : Times.format(row.getOffsetDateTime("revoked_at")));
  }
}
