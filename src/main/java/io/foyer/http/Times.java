package io.foyer.http;

import java.time.Instant;
import java.time.LocalDateTime;
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

  /** Parses an ISO-8601 time with offset; the API's own format is read by position, the rest by the formatter. */
  public static Instant parse(String text) {
    if (text == null) {
      return null;
    }
    // every registration's token is dated from a time in this format: parsing it through the formatter cost
    // several percent of the node's time per registration
    if (text.length() == 24 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
        && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.' && text.charAt(23) == 'Z') {
      int year = digits(text, 0, 4);
      int month = digits(text, 5, 7);
      int day = digits(text, 8, 10);
      int hour = digits(text, 11, 13);
      int minute = digits(text, 14, 16);
      int second = digits(text, 17, 19);
      int millis = digits(text, 20, 23);
      if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0 && millis >= 0) {
        // LocalDateTime.of checks the ranges (a 31st of April fails like the formatter's parse does)
        return LocalDateTime.of(year, month, day, hour, minute, second, millis * 1_000_000)
            .toInstant(ZoneOffset.UTC);
      }
    }
    return OffsetDateTime.parse(text).toInstant();
  }

  /** The decimal number of text[from, to), or -1 if any of those is not an ASCII digit. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
