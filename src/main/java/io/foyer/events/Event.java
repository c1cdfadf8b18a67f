package io.foyer.events;

import io.foyer.http.Times;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A stored event; homeRegion names the region whose database holds it and everything under it. */
public record Event(long id, EventDefinition definition, String homeRegion, Instant createdAt, Instant updatedAt) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).mergeIn(definition.toJson()).put("homeRegion", homeRegion)
        .put("createdAt", Times.format(createdAt))
        .put("updatedAt", Times.format(updatedAt));
  }
}
