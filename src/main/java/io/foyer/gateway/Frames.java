package io.foyer.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The JSON text frames of the protocol (docs/protocol.md), and the one place that writes an already encoded
 * frame to many sockets.
 */
final class Frames {

  static final int VERSION = 1;
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

  /** UTF-8 bytes of a frame, to be shared by every local socket that receives it. */
  static ByteBuf encode(String frame) {
    return Unpooled.wrappedBuffer(frame.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes a shared encoded frame. The public API would encode the text again for every socket; this wraps a
   * duplicate (same bytes, own read position) of the one encoded buffer instead.
   */
  static void writeShared(ServerWebSocket socket, ByteBuf frame) {
    socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.duplicate(), true));
  }

  private static String quote(String text) {
    // topic names are [a-z]+:[0-9a-f-]+, nothing to escape; checked to stay honest
    if (!TOPIC_NAME.matcher(text).matches()) {
      throw new IllegalArgumentException("not a topic name: " + text);
    }
    return "\"" + text + "\"";
  }
}
