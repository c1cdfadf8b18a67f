package io.foyer.events;

import java.util.Arrays;
import java.util.Locale;

/** How attendees may register for an event: anyone, only someone signed in through a provider, or by invite code. */
public enum RegistrationMode {
  OPEN, SSO, INVITE;

  /** The value as the API and the database spell it. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode spelt so, or null when there is none. */
  public static RegistrationMode of(String value) {
    return Arrays.stream(values()).filter(mode -> mode.value().equals(value)).findFirst().orElse(null);
  }

  static String known() {
    return String.join(", ", Arrays.stream(values()).map(RegistrationMode::value).toList());
  }
}
