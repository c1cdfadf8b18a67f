package io.foyer.events;

import io.foyer.http.Times;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A stored event. */
public record Event(long id, EventDefinition definition, Instant createdAt, Instant updatedAt) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).mergeIn(definition.toJson())
        .put("createdAt", Times.format(createdAt))
        .put("updatedAt", Times.format(updatedAt));
  }
}
