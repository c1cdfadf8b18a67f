package io.foyer.sso;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the values of a provider's roles claim into roles, by rules written value=role:scope, comma separated. A
 * value may hold {event} once, which matches an event id that the scope {event} then uses, so one rule serves
 * every event: "event-{event}-speakers=presenter:{event}". Values are compared exactly (case matters, as providers
 * treat group names); nobody holds a role no rule grants.
 */
public final class RoleMapping {

  private static final String EVENT = "{event}";
  private static final Pattern RULE = Pattern.compile("(.+)=(organizer|presenter|moderator):(\\*|[1-9][0-9]{0,17}|\\{event})");

  private record Rule(String value, Pattern valuePattern, StaffRole role, Long eventId, boolean eventFromValue) {}

  private final List<Rule> rules;

  private RoleMapping(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static RoleMapping none() {
    return new RoleMapping(List.of());
  }

  /** Parses the rules; an IllegalArgumentException says which rule is wrong and how. */
  public static RoleMapping parse(String text) {
    List<Rule> rules = new ArrayList<>();
    for (String entry : text.split(",")) {
      String rule = entry.trim();
      if (rule.isEmpty()) {
        continue;
      }
      Matcher matcher = RULE.matcher(rule);
      if (!matcher.matches()) {
        throw new IllegalArgumentException("'" + rule + "' is not value=role:scope with role organizer, presenter "
            + "or moderator and scope *, an event id or {event}");
      }
      String value = matcher.group(1).trim();
      StaffRole role = StaffRole.valueOf(matcher.group(2).toUpperCase(Locale.ROOT));
      String scope = matcher.group(3);
      int placeholder = value.indexOf(EVENT);
      boolean valueHasEvent = placeholder >= 0;
      if (valueHasEvent != scope.equals(EVENT) || value.indexOf(EVENT, placeholder + 1) >= 0) {
        throw new IllegalArgumentException("'" + rule + "': {event} must appear once in the value and be its scope, "
            + "or not at all");
      }
      Pattern pattern = valueHasEvent
          ? Pattern.compile(Pattern.quote(value.substring(0, placeholder)) + "([1-9][0-9]{0,17})"
              + Pattern.quote(value.substring(placeholder + EVENT.length())))
          : null;
      Long eventId = scope.equals("*") || valueHasEvent ? null : Long.valueOf(scope);
      rules.add(new Rule(value, pattern, role, eventId, valueHasEvent));
    }
    return new RoleMapping(rules);
  }

  /** The roles the claim's values grant, in rule order, without repeats. */
  public Set<RoleGrant> grants(Collection<String> claimValues) {
    Set<RoleGrant> grants = new LinkedHashSet<>();
    for (Rule rule : rules) {
      for (String value : claimValues) {
        if (!rule.eventFromValue()) {
          if (rule.value().equals(value)) {
            grants.add(new RoleGrant(rule.role(), rule.eventId()));
          }
          continue;
        }
        Matcher matcher = rule.valuePattern().matcher(value);
        if (matcher.matches()) {
          grants.add(new RoleGrant(rule.role(), Long.valueOf(matcher.group(1))));
        }
      }
    }
    return grants;
  }

  /** The rules as configured, for the ops page and the session view. */
  public List<String> describe() {
    return rules.stream().map(rule -> rule.value() + " = " + rule.role().name().toLowerCase(Locale.ROOT) + ":"
        + (rule.eventFromValue() ? EVENT : rule.eventId() == null ? "*" : rule.eventId())).toList();
  }
}
