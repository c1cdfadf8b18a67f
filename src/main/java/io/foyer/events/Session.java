package io.foyer.events;

import io.foyer.http.Times;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A stored session of an event. */
public record Session(long id, long eventId, SessionDefinition definition, Instant createdAt, Instant updatedAt) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("eventId", eventId).mergeIn(definition.toJson())
        .put("createdAt", Times.format(createdAt))
        .put("updatedAt", Times.format(updatedAt));
  }
}
