package io.foyer.auth;

import io.foyer.audit.Actor;

/**
 * Who runs an interaction (a poll, a quiz): an organizer of the event or one of its presenters, for audit; a
 * presenter token scoped to a session runs that session's interactions only (onlySession, else null).
 */
public record Runner(Role role, Actor actor, Long onlySession) {

  /** The two roles that may run interactions. */
  public enum Role { ORGANIZER, PRESENTER }
}
