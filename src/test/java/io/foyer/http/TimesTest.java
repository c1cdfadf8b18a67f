package io.foyer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The API's timestamps read back exactly as written, whichever way they are parsed. */
class TimesTest {

  @Test
  void whatIsFormattedParsesBackToTheSameMillisecond() {
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      Instant instant = Instant.ofEpochMilli(random.nextLong(0, 253_402_300_799_999L));
      assertThat(Times.parse(Times.format(instant))).isEqualTo(instant);
    }
  }

  @Test
  void otherOffsetsAndPrecisionsAreReadByTheFormatter() {
    assertThat(Times.parse("2026-05-04T11:00:00+02:00")).isEqualTo(Instant.parse("2026-05-04T09:00:00Z"));
    assertThat(Times.parse("2026-05-04T09:00:00.123456Z")).isEqualTo(Instant.parse("2026-05-04T09:00:00.123456Z"));
  }

  @Test
  void impossibleDatesAndStrayCharactersAreRefused() {
    assertThatThrownBy(() -> Times.parse("2026-04-31T09:00:00.000Z")).isInstanceOf(DateTimeException.class);
    assertThatThrownBy(() -> Times.parse("2026-+4-01T09:00:00.000Z")).isInstanceOf(DateTimeException.class);
    assertThatThrownBy(() -> Times.parse("2026-04-01T24:00:00.000Z")).isInstanceOf(DateTimeException.class);
  }
}
