package io.foyer.gateway;

import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;

/**
 * The JSON text frames of the protocol (docs/protocol.md), and the one place that writes an already encoded
 * frame to many sockets.
 */
final class Frames {

  static final int VERSION = 1;
  private static final String TRANSLATED = "translated";
  private static final String TRANSLATED_PREFIX = "{\"" + TRANSLATED + "\":true,";
  private static final java.util.regex.Pattern TOPIC_NAME = java.util.regex.Pattern.compile("[a-z]+:[0-9a-f-]+");

  private Frames() {}

  /**
   * A pushed message. The body ({"kind","at","data"}) is what topic history keeps; the frame is built around
   * it by joining strings, so a message is encoded once whether it is delivered live or replayed.
   */
  static String message(String topic, long seq, String body) {
    return "{\"type\":\"message\",\"topic\":" + quote(topic) + ",\"seq\":" + seq + "," + body.substring(1);
  }

  static String body(String kind, String at, JsonObject data) {
    return new JsonObject().put("kind", kind).put("at", at).put("data", data).encode();
  }

  /**
   * A body with data in several languages, as topic history keeps it: marked by its first member, so that
   * telling it from a plain body costs a prefix comparison, not a parse. No client ever receives it as such:
   * each gets {@link #bodyIn(JsonObject, String) the body of its language}.
   */
  static String translatedBody(String kind, String at, Translated data) {
    JsonObject languages = new JsonObject();
    data.byLanguage().forEach(languages::put);
    return new JsonObject().put(TRANSLATED, true).put("kind", kind).put("at", at).put("data", data.everyLanguage())
        .put("languages", languages).put("fallback", data.fallback()).encode();
  }

  static boolean isTranslated(String body) {
    return body.startsWith(TRANSLATED_PREFIX);
  }

  /** The plain body of a translated one, in a language (null: every language, for those who run the event). */
  static String bodyIn(JsonObject translated, String language) {
    JsonObject data = language == null ? translated.getJsonObject("data")
        : translated.getJsonObject("languages").getJsonObject(language, translated.getJsonObject("fallback"));
    return body(translated.getString("kind"), translated.getString("at"), data);
  }

  /** A pushed message for one socket in a language (null: every language), from a plain or translated body. */
  static String messageIn(String topic, long seq, String body, String language) {
    return message(topic, seq, isTranslated(body) ? bodyIn(new JsonObject(body), language) : body);
  }

  static JsonObject reply(String type, String re) {
    JsonObject frame = new JsonObject().put("type", type);
    if (re != null) {
      frame.put("re", re);
    }
    return frame;
  }

  static String error(String re, ErrorCode code, String message) {
    return error(re, code.code(), message);
  }

  static String error(String re, String code, String message) {
    return reply("error", re).put("code", code).put("message", message).encode();
  }

  static String presence(String topic, long online) {
    return "{\"type\":\"presence\",\"topic\":" + quote(topic) + ",\"online\":" + online + "}";
  }

  /** A frame encoded once, to be written to every local socket that receives it; see {@link SharedFrame}. */
  static SharedFrame encode(String frame) {
    return SharedFrame.text(frame);
  }

  /**
   * Writes a shared frame as one text frame without encoding it again (the public API takes text only as a
   * String, which it would encode for every socket; a text message split into an empty text frame and a
   * continuation frame carrying a Buffer would double the frames, promises and encoder passes per socket).
   *
   * <p>The write gets its own {@link SharedFrame#payload() payload}, so it neither depends on nor touches any
   * other write's buffer: today Vert.x's {@link WebSocketFrameImpl} wraps it as unreleasable and never releases
   * it; were it released by Netty after encoding or on a failed write, it would be this write's buffer alone.
   * Nothing is left for the caller to release, whatever the outcome. The future fails when the socket is
   * already closed or the write fails; it must not be used to release anything.
   */
  static Future<Void> writeShared(ServerWebSocket socket, SharedFrame frame) {
    return socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.payload(), true));
  }

  private static String quote(String text) {
    // topic names are [a-z]+:[0-9a-f-]+, nothing to escape; checked to stay honest
    if (!TOPIC_NAME.matcher(text).matches()) {
      throw new IllegalArgumentException("not a topic name: " + text);
    }
    return "\"" + text + "\"";
  }
}
