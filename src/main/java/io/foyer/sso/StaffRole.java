package io.foyer.sso;

/** What a signed-in member of staff may be, per event or for every event; granted by a provider's claims. */
public enum StaffRole {
  /** Everything about the event, as an organizer API key limited to it (or every event). */
  ORGANIZER,
  /** Runs polls and quizzes and sees live results, as a presenter token; no personal data. */
  PRESENTER,
  /** Moderates what the audience sends; today the same rights as a presenter. */
  MODERATOR
}
