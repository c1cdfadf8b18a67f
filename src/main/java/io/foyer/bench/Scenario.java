package io.foyer.bench;

/**
 * The shapes of registration load `foyer bench register --scenario` offers; the constants are named as they are
 * typed on the command line.
 */
enum Scenario {
  open(1, null, "one event without capacity"),
  waitlist(1, 1_000, "one event of capacity 1000; arrivals past it go to the waiting list"),
  events(100, null, "100 events without capacity, arrivals round-robin across them");

  /** Events the arrivals spread over. */
  final int eventCount;
  /** Seats of each event, or null for no limit. */
  final Integer capacity;
  final String description;

  Scenario(int eventCount, Integer capacity, String description) {
    this.eventCount = eventCount;
    this.capacity = capacity;
    this.description = description;
  }
}
