package io.foyer.sso;

/** One role a signed-in person holds: for one event, or for every event when eventId is null. */
public record RoleGrant(StaffRole role, Long eventId) {

  public boolean covers(long event) {
    return eventId == null || eventId == event;
  }

  /** As shown to people and in the session view: organizer:* or presenter:42. */
  @Override
  public String toString() {
    return role.name().toLowerCase(java.util.Locale.ROOT) + ":" + (eventId == null ? "*" : eventId);
  }
}
