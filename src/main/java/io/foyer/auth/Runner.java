package io.foyer.auth;

import io.foyer.audit.Actor;

/** Who runs an interaction (a poll, a quiz): an organizer of the event or one of its presenters, for audit. */
public record Runner(Role role, Actor actor) {

  /** The two roles that may run interactions. */
  public enum Role { ORGANIZER, PRESENTER }
}
