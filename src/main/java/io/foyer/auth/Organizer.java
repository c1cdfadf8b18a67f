package io.foyer.auth;

/** An authenticated organizer: the name of the API key used, and the one event it is limited to, if any. */
public record Organizer(String keyName, Long eventScope) {

  public boolean allEvents() {
    return eventScope == null;
  }

  public boolean mayActOn(long eventId) {
    return eventScope == null || eventScope == eventId;
  }
}
