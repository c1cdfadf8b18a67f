package io.foyer.gateway;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * One pushed message as a node's sockets receive it, encoded once per node: a single frame for everyone, or,
 * for a message whose data is {@link Translated translated}, one frame per language, chosen per socket by a map
 * lookup. A translated message costs one frame per language it carries, never one per socket.
 */
final class Pushed {

  private final SharedFrame everyLanguage;
  private final Map<String, SharedFrame> byLanguage;
  private final SharedFrame fallback;

  private Pushed(SharedFrame everyLanguage, Map<String, SharedFrame> byLanguage, SharedFrame fallback) {
    this.everyLanguage = everyLanguage;
    this.byLanguage = byLanguage;
    this.fallback = fallback;
  }

  /** The frames of a message with the given sequence number and body (as topic history keeps it). */
  static Pushed of(String topic, long seq, String body) {
    if (!Frames.isTranslated(body)) {
      SharedFrame frame = Frames.encode(Frames.message(topic, seq, body));
      return new Pushed(frame, Map.of(), frame);
    }
    JsonObject translated = new JsonObject(body);
    String kind = translated.getString("kind");
    String at = translated.getString("at");
    JsonObject languages = translated.getJsonObject("languages");
    Map<String, SharedFrame> byLanguage = new HashMap<>();
    for (String language : languages.fieldNames()) {
      byLanguage.put(language, frame(topic, seq, kind, at, languages.getJsonObject(language)));
    }
    return new Pushed(frame(topic, seq, kind, at, translated.getJsonObject("data")), byLanguage,
        frame(topic, seq, kind, at, translated.getJsonObject("fallback")));
  }

  private static SharedFrame frame(String topic, long seq, String kind, String at, JsonObject data) {
    return Frames.encode(Frames.message(topic, seq, Frames.body(kind, at, data)));
  }

  /** The frame for a socket in a language; null (organizers, presenters): every language. */
  SharedFrame in(String language) {
    return language == null ? everyLanguage : byLanguage.getOrDefault(language, fallback);
  }
}
