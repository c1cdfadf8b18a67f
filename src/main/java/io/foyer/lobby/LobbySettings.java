package io.foyer.lobby;

import io.foyer.http.Times;
import io.foyer.http.Validation;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * An event's lobby as its organizer set it (docs/api.md#lobby); an event without settings has {@link #DEFAULTS}.
 *
 * @param admissionPerSecond places served per second, whatever unit the organizer gave it in
 * @param perMinute whether the organizer gave the rate per minute (kept to answer in the same unit)
 * @param opensAt a scheduled opening (pre-queue until then, shuffled at the opening), or null
 * @param openAbove the thresholds of auto mode; 0 leaves a measure out
 * @param guardLiveAbove while the lobby is open, attendees connected to the event's live page above which a new
 *     connection needs an admission too (0: the live page is never guarded)
 */
record LobbySettings(Mode mode, double admissionPerSecond, boolean perMinute, long maxQueue,
    Duration admissionTtl, Duration ticketTtl, Instant opensAt, Thresholds openAbove, double closeBelowFraction,
    Duration calm, long guardLiveAbove) {

  enum Mode {
    AUTO, ALWAYS, OFF;

    String apiName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** When auto mode opens the lobby: arrivals per second, visitors connected, registration writer's wait. */
  record Thresholds(long arrivalsPerSecond, long concurrentVisitors, long registrationWaitMillis) {}

  /**
   * An event has no lobby until its organizer chooses a mode: clients written before the lobby keep registering
   * as they did (a lobby that opens by itself refuses registrations without an admission).
   */
  static final LobbySettings DEFAULTS = new LobbySettings(Mode.OFF, 50, false, 200_000, Duration.ofMinutes(10),
      Duration.ofSeconds(60), null, new Thresholds(200, 5_000, 250), 0.5, Duration.ofSeconds(30), 0);

  private static final List<String> MEMBERS = List.of("mode", "admissionRate", "admissionPer", "maxQueue",
      "admissionTtlSeconds", "ticketTtlSeconds", "opensAt", "openAbove", "closeBelowFraction", "calmSeconds", "guardLiveAbove");
  private static final List<String> THRESHOLDS = List.of("arrivalsPerSecond", "concurrentVisitors",
      "registrationWaitMillis");
  private static final long MAX_QUEUE = 10_000_000;

  /** How often a waiting client renews its ticket: three times per ticket lifetime, so one miss is harmless. */
  Duration heartbeat() {
    return ticketTtl.dividedBy(3);
  }

  /** Checks a whole settings body; omitted members take their defaults; every problem reported at once (422). */
  static LobbySettings fromJson(JsonObject body) {
    Validation v = new Validation();
    v.onlyKnown(body, MEMBERS);
    Mode mode = null;
    for (Mode candidate : Mode.values()) {
      if (candidate.apiName().equals(body.getValue("mode", DEFAULTS.mode.apiName()))) {
        mode = candidate;
      }
    }
    if (mode == null) {
      v.fail("mode", "must be auto, always or off");
    }
    Object per = body.getValue("admissionPer", "second");
    if (!"second".equals(per) && !"minute".equals(per)) {
      v.fail("admissionPer", "must be second or minute");
    }
    boolean perMinute = "minute".equals(per);
    double rate = DEFAULTS.admissionPerSecond;
    Object givenRate = body.getValue("admissionRate");
    if (givenRate != null) {
      if (givenRate instanceof Number n && n.doubleValue() >= 1 && n.doubleValue() <= 1_000_000) {
        rate = perMinute ? n.doubleValue() / 60 : n.doubleValue();
      } else {
        v.fail("admissionRate", "must be a number from 1 to 1000000 (attendees per " + per + ")");
      }
    } else if (perMinute) {
      v.fail("admissionRate", "is required when admissionPer is minute");
    }
    Long maxQueue = v.wholeNumber(body, "maxQueue", 1, MAX_QUEUE, "must be from 1 to " + MAX_QUEUE);
    Long admissionTtl = v.wholeNumber(body, "admissionTtlSeconds", 10, 86_400, "must be from 10 to 86400");
    Long ticketTtl = v.wholeNumber(body, "ticketTtlSeconds", 6, 86_400, "must be from 6 to 86400");
    Instant opensAt = v.instant(body, "opensAt", false);
    Thresholds thresholds = DEFAULTS.openAbove;
    Object above = body.getValue("openAbove");
    if (above instanceof JsonObject given) {
      v.onlyKnown(given, THRESHOLDS);
      Long arrivals = v.wholeNumber(given, "arrivalsPerSecond", 0, Long.MAX_VALUE, "must be 0 or more");
      Long visitors = v.wholeNumber(given, "concurrentVisitors", 0, Long.MAX_VALUE, "must be 0 or more");
      Long wait = v.wholeNumber(given, "registrationWaitMillis", 0, 600_000, "must be from 0 to 600000");
      thresholds = new Thresholds(arrivals != null ? arrivals : thresholds.arrivalsPerSecond(),
          visitors != null ? visitors : thresholds.concurrentVisitors(),
          wait != null ? wait : thresholds.registrationWaitMillis());
    } else if (above != null) {
      v.fail("openAbove", "must be an object with arrivalsPerSecond, concurrentVisitors, registrationWaitMillis");
    }
    double fraction = DEFAULTS.closeBelowFraction;
    Object givenFraction = body.getValue("closeBelowFraction");
    if (givenFraction != null) {
      if (givenFraction instanceof Number n && n.doubleValue() > 0 && n.doubleValue() <= 1) {
        fraction = n.doubleValue();
      } else {
        v.fail("closeBelowFraction", "must be a number above 0 and at most 1");
      }
    }
    Long calm = v.wholeNumber(body, "calmSeconds", 0, 3_600, "must be from 0 to 3600");
    Long guard = v.wholeNumber(body, "guardLiveAbove", 0, MAX_QUEUE, "must be from 0 (off) to " + MAX_QUEUE);
    v.throwIfInvalid();
    return new LobbySettings(mode, rate, perMinute, maxQueue != null ? maxQueue : DEFAULTS.maxQueue,
        admissionTtl != null ? Duration.ofSeconds(admissionTtl) : DEFAULTS.admissionTtl,
        ticketTtl != null ? Duration.ofSeconds(ticketTtl) : DEFAULTS.ticketTtl, opensAt, thresholds, fraction,
        calm != null ? Duration.ofSeconds(calm) : DEFAULTS.calm, guard != null ? guard : DEFAULTS.guardLiveAbove);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("mode", mode.apiName())
        .put("admissionRate", perMinute ? admissionPerSecond * 60 : admissionPerSecond)
        .put("admissionPer", perMinute ? "minute" : "second")
        .put("maxQueue", maxQueue)
        .put("admissionTtlSeconds", admissionTtl.toSeconds())
        .put("ticketTtlSeconds", ticketTtl.toSeconds())
        .put("opensAt", Times.format(opensAt))
        .put("openAbove", new JsonObject()
            .put("arrivalsPerSecond", openAbove.arrivalsPerSecond())
            .put("concurrentVisitors", openAbove.concurrentVisitors())
            .put("registrationWaitMillis", openAbove.registrationWaitMillis()))
        .put("closeBelowFraction", closeBelowFraction)
        .put("calmSeconds", calm.toSeconds())
        .put("guardLiveAbove", guardLiveAbove);
  }
}
