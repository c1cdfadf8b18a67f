package io.foyer.audit;

/** Who acts, from where: recorded with every organizer action. */
public record Actor(String name, String remoteAddress) {}
