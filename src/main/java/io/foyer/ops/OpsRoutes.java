package io.foyer.ops;

import io.foyer.auth.AuthHandlers;
import io.foyer.auth.Organizer;
import io.foyer.bus.Bus;
import io.foyer.http.Replies;
import io.foyer.http.RouterFactory.ApiRoutes;
import io.foyer.http.Times;
import io.foyer.live.LiveState;
import io.foyer.lobby.LobbyMessages;
import io.foyer.presence.Presence;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * GET /api/ops/cluster: every live node's status record and the lobby lines being driven, for the ops dashboard
 * (/ops). It shows the whole cluster, so only a key for every event may read it.
 */
public final class OpsRoutes implements ApiRoutes {

  private final AuthHandlers auth;
  private final LiveState live;
  private final Presence presence;
  private final String nodeId;
  private final JsonArray signIn;

  /** @param signIn the sign-in providers and their role rules, shown on the ops page */
  public OpsRoutes(AuthHandlers auth, LiveState live, Presence presence, String nodeId, JsonArray signIn) {
    this.auth = auth;
    this.signIn = signIn;
    this.live = live;
    this.presence = presence;
    this.nodeId = nodeId;
  }

  @Override
  public void mount(Vertx vertx, Router api) {
    api.get("/ops/cluster").handler(auth.organizer()).handler(this::cluster);
  }

  private void cluster(RoutingContext ctx) {
    Organizer organizer = AuthHandlers.organizer(ctx);
    if (!organizer.allEvents()) {
      throw new ProblemException(ProblemType.FORBIDDEN, "API key '" + organizer.keyName() + "' is limited to event "
          + organizer.eventScope() + "; the cluster view needs a key for every event");
    }
    Future<JsonObject> lines = Bus.request(ctx.vertx(), LobbyMessages.LINES, new LobbyMessages.Lines(null));
    Future.all(nodes(), lines).map(all -> new JsonObject()
            .put("nodes", all.resultAt(0))
            .put("lobbies", all.<JsonObject>resultAt(1).getJsonArray("lines"))
            .put("signIn", signIn.copy())
            .put("at", Times.format(Instant.now())))
        .onComplete(Replies.to(ctx, ctx::json));
  }

  /** The nodes presence knows whose record has not expired: one that stopped publishing is not shown. */
  private Future<JsonArray> nodes() {
    return presence.nodesWithHeartbeat().compose(ids -> {
      List<Future<String>> records = ids.stream().map(id -> live.get(NodeStatus.key(id))).toList();
      return Future.all(records).map(all -> new JsonArray(records.stream().map(Future::result)
          .filter(Objects::nonNull)
          .map(JsonObject::new)
          .map(record -> record.put("self", nodeId.equals(record.getString("node"))))
          .sorted(Comparator.comparing(record -> record.getString("node")))
          .toList()));
    });
  }
}
