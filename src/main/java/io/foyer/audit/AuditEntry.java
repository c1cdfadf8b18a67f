package io.foyer.audit;

import io.vertx.core.json.JsonObject;

/** One organizer action: who (API key name), what, on which event and target, with details, from where. */
public record AuditEntry(String actor, String action, Long eventId, String target, JsonObject details,
    String remoteAddress) {}
