package io.foyer.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The one timestamp format of the API: UTC with milliseconds, e.g. 2026-05-04T09:00:00.000Z. */
public final class Times {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Times() {}

  public static String format(Instant instant) {
    return instant == null ? null : FORMAT.format(instant);
  }

  public static String format(OffsetDateTime time) {
    return time == null ? null : format(time.toInstant());
  }

  public static Instant parse(String text) {
    return text == null ? null : OffsetDateTime.parse(text).toInstant();
  }
}
