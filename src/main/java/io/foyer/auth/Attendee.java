package io.foyer.auth;

import java.util.UUID;

/** The bearer of a valid attendee token: one registration of one event. */
public record Attendee(UUID registrationId, long eventId) {}
