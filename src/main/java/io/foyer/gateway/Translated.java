package io.foyer.gateway;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A message's data in the languages of its audience. Each attendee receives the variant of its registration's
 * language, or the fallback (the event's default language) when there is none; organizers and presenters, who
 * run the event in every language, receive {@code everyLanguage}, which carries every translation.
 */
public record Translated(JsonObject everyLanguage, Map<String, JsonObject> byLanguage, JsonObject fallback) {

  public Translated {
    byLanguage = Map.copyOf(byLanguage);
  }
}
