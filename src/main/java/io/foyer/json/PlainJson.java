package io.foyer.json;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.jackson.JacksonCodec;

/**
 * JSON of plain values (objects, arrays, strings, numbers, booleans, null) read and written by Jackson's streaming
 * parser and generator. Vert.x's own {@code Json} goes through a data-binding ObjectMapper whenever jackson-databind
 * is on the class path (it is, for the configuration's YAML), which costs a vote several times the work for the
 * same text; the values are the same: a JSON object decodes to a JsonObject, an array to a JsonArray, whole numbers
 * to Integer, Long or BigInteger. Not for values that need data binding (records, dates other than Instant).
 */
public final class PlainJson {

  private static final JacksonCodec CODEC = new JacksonCodec();

  private PlainJson() {}

  /** The value of a JSON text: a JsonObject, JsonArray, String, Number, Boolean or null. */
  public static Object decode(String text) throws DecodeException {
    return CODEC.fromString(text, Object.class);
  }

  /** The compact JSON text of a plain value. */
  public static String encode(Object value) throws EncodeException {
    return CODEC.toString(value, false);
  }
}
