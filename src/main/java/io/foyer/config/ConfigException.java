package io.foyer.config;

/** A configuration mistake a user can fix; its message is the one line printed at start-up. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
