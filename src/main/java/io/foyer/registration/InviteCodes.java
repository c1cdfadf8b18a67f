package io.foyer.registration;

import io.foyer.audit.Actor;
import io.foyer.audit.AuditEntry;
import io.foyer.audit.AuditLog;
import io.foyer.http.Times;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.RegionalStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * An event's invite codes for organizers: made in bulk, listed with their uses left, revoked. A code is 128
 * random bits, base64url (22 characters, safe in a link's query); only its SHA-256 is stored, so a code is shown
 * once, when made, and a copy of the database admits nobody. Uses are spent by the registration writer, in the
 * transaction that commits the registration (see the V10 migration).
 */
public final class InviteCodes {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int CODE_BYTES = 16;
  private static final int HINT_LENGTH = 4;

  private final RegionalStores stores;

  public InviteCodes(RegionalStores stores) {
    this.stores = stores;
  }

  /** What an organizer asks for: how many codes, how many registrations each admits, an optional label. */
  public record Order(int count, int uses, String label) {}

  /** Makes the codes and audits it, in one transaction. Answer: the codes, each with its code this once. */
  public Future<JsonArray> create(long eventId, Order order, Actor actor) {
    Map<String, String> codes = new HashMap<>();
    while (codes.size() < order.count()) {
      String code = newCode();
      codes.put(hash(code), code);
    }
    List<String> hashes = new ArrayList<>(codes.keySet());
    List<String> hints = hashes.stream().map(h -> codes.get(h).substring(0, HINT_LENGTH)).toList();
    return stores.ofEvent(eventId).compose(pool -> pool.withTransaction(connection -> connection
        .preparedQuery(RegistrationSql.INSERT_INVITES)
        .execute(Tuple.of(eventId, hashes.toArray(String[]::new), hints.toArray(String[]::new), order.label(),
            order.uses(), actor.name()))
        .map(rows -> {
          List<JsonObject> made = new ArrayList<>();
          rows.forEach(row -> made.add(toJson(row).put("code", codes.get(row.getString("code_hash")))));
          made.sort((a, b) -> Long.compare(a.getLong("id"), b.getLong("id")));
          return new JsonArray(new ArrayList<>(made));
        })
        .compose(made -> AuditLog.record(connection, new AuditEntry(actor.name(), "invites.created", eventId,
                "event:" + eventId, new JsonObject().put("count", order.count()).put("uses", order.uses())
                    .put("label", order.label()).put("ids", ids(made)), actor.remoteAddress()))
            .map(made))));
  }

  /** The event's codes, revoked ones included, without the codes themselves. */
  public Future<JsonArray> list(long eventId) {
    return stores.ofEvent(eventId).compose(pool -> pool.preparedQuery(RegistrationSql.LIST_INVITES)
        .execute(Tuple.of(eventId))).map(rows -> {
      JsonArray invites = new JsonArray();
      rows.forEach(row -> invites.add(toJson(row)));
      return invites;
    });
  }

  /**
   * Revokes a code of the event: registrations made with it stand, no new one is made with it. Revoking again
   * changes nothing and is not audited again. Answer: the code as listed.
   */
  public Future<JsonObject> revoke(long eventId, long inviteId, Actor actor) {
    return stores.ofEvent(eventId).compose(pool -> pool.withTransaction(connection -> connection
        .preparedQuery(RegistrationSql.REVOKE_INVITE)
        .execute(Tuple.of(inviteId, eventId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new ProblemException(ProblemType.NOT_FOUND,
                "no invite code " + inviteId + " in event " + eventId));
          }
          Row row = rows.iterator().next();
          JsonObject invite = toJson(row);
          return row.getBoolean("already_revoked") ? Future.succeededFuture(invite)
              : AuditLog.record(connection, new AuditEntry(actor.name(), "invite.revoked", eventId,
                  "invite:" + inviteId, new JsonObject().put("used", invite.getInteger("used")),
                  actor.remoteAddress())).map(invite);
        })));
  }

  /** How a code is found: its SHA-256, hex. */
  static String hash(String code) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(code.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  static ProblemException unknown() {
    return new ProblemException(ProblemType.INVITE_CODE_UNKNOWN,
        "this is not an invite code of this event; check it, or ask the organizer for one");
  }

  private static String newCode() {
    byte[] bytes = new byte[CODE_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static JsonArray ids(JsonArray made) {
    JsonArray ids = new JsonArray();
    made.forEach(invite -> ids.add(((JsonObject) invite).getLong("id")));
    return ids;
  }

  private static JsonObject toJson(Row row) {
    int uses = row.getInteger("uses");
    int used = row.getInteger("used");
    boolean revoked = row.getValue("revoked_at") != null;
    return new JsonObject().put("id", row.getLong("id")).put("eventId", row.getLong("event_id"))
        .put("hint", row.getString("hint")).put("label", row.getString("label")).put("uses", uses)
        .put("used", used).put("usesLeft", revoked ? 0 : uses - used).put("revoked", revoked)
        .put("revokedAt", Times.format(row.getOffsetDateTime("revoked_at")))
        .put("createdBy", row.getString("created_by"))
        .put("createdAt", Times.format(row.getOffsetDateTime("created_at")));
  }
}
