package io.foyer.events;

import io.foyer.http.Times;
import io.foyer.http.Validation;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** What an organizer says a session is: a slot of the programme in a track, room or stream. */
public record SessionDefinition(String title, String description, String track, String room, String streamUrl,
    Instant startsAt, Instant endsAt, String language, Integer capacity) {

  static final List<String> MEMBERS = List.of("title", "description", "track", "room", "streamUrl", "startsAt",
      "endsAt", "language", "capacity");

  public static SessionDefinition fromJson(JsonObject body) {
    Validation v = new Validation();
    v.onlyKnown(body, MEMBERS);
    SessionDefinition definition = new SessionDefinition(
        v.text(body, "title", true, 200),
        Objects.requireNonNullElse(v.text(body, "description", false, 10_000), ""),
        v.text(body, "track", false, 100),
        v.text(body, "room", false, 100),
        v.text(body, "streamUrl", false, 2000),
        v.instant(body, "startsAt", true),
        v.instant(body, "endsAt", true),
        v.language(body, "language", false),
        v.positiveInt(body, "capacity"));
    if (definition.streamUrl() != null && !isHttpUrl(definition.streamUrl())) {
      v.fail("streamUrl", "must be an http or https URL");
    }
    v.after("endsAt", definition.endsAt(), "startsAt", definition.startsAt());
    v.throwIfInvalid();
    return definition;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("title", title)
        .put("description", description)
        .put("track", track)
        .put("room", room)
        .put("streamUrl", streamUrl)
        .put("startsAt", Times.format(startsAt))
        .put("endsAt", Times.format(endsAt))
        .put("language", language)
        .put("capacity", capacity);
  }

  private static boolean isHttpUrl(String text) {
    try {
      URI uri = new URI(text);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
