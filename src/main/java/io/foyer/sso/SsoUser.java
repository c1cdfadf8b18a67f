package io.foyer.sso;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who signed in through a provider, as kept in their server-side session: the provider's subject, the name and
 * email its ID token gave, and the roles its claims granted (the session also keeps the ID token itself, which the
 * provider's logout asks for; see {@link SsoSession}).
 */
public record SsoUser(String provider, String subject, String name, String email, boolean emailVerified,
    Set<RoleGrant> roles) {

  /** The session key under which the signed-in person is kept. */
  static final String SESSION_KEY = "foyer.sso.user";

  /** The person signed in on this request's session, or null (no session, or nobody signed in). */
  public static SsoUser of(RoutingContext ctx) {
    // reading the session marks it used, and vertx-web then stores it: only for a browser that brings its cookie
    if (ctx.request().getCookie(SingleSignOn.COOKIE) == null) {
      return null;
    }
    Session session = ctx.session();
    if (session == null) {
      return null;
    }
    Object stored = session.get(SESSION_KEY);
    return stored instanceof String json ? fromJson(new JsonObject(json)) : null;
  }

  /** The name audit records under: sso:<provider>:<subject>. */
  public String actorName() {
    return "sso:" + provider + ":" + subject;
  }

  /** Whether any of the roles covers the event. */
  public boolean holds(StaffRole role, long eventId) {
    return roles.stream().anyMatch(grant -> grant.role() == role && grant.covers(eventId));
  }

  /** Whether a role is held for every event. */
  public boolean holdsEverywhere(StaffRole role) {
    return roles.contains(new RoleGrant(role, null));
  }

  public JsonObject toJson() {
    JsonArray grants = new JsonArray();
    roles.forEach(grant -> grants.add(grant.toString()));
    return new JsonObject().put("provider", provider).put("subject", subject).put("name", name)
        .put("email", email).put("emailVerified", emailVerified).put("roles", grants);
  }

  static SsoUser fromJson(JsonObject json) {
    Set<RoleGrant> roles = new LinkedHashSet<>();
    for (Object grant : json.getJsonArray("roles", new JsonArray())) {
      String[] parts = grant.toString().split(":");
      roles.add(new RoleGrant(StaffRole.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT)),
          parts[1].equals("*") ? null : Long.valueOf(parts[1])));
    }
    return new SsoUser(json.getString("provider"), json.getString("subject"), json.getString("name"),
        json.getString("email"), json.getBoolean("emailVerified", false), Set.copyOf(roles));
  }
}
