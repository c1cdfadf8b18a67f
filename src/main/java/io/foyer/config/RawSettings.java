package io.foyer.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Flat key to text view of the merged configuration sources, with typed readers whose errors name the key,
 * where its value came from, and what was wrong.
 */
final class RawSettings {

  /** One value and where it came from (a file or an environment variable). */
  record Setting(String value, String source) {}

  private static final java.util.Set<String> SECRET_KEYS = java.util.Set.of("auth.apiKeys", "auth.tokenSecret",
      "cluster.secret");

  private final Map<String, Setting> settings = new LinkedHashMap<>();

  void put(String key, String value, String source) {
    settings.put(key, new Setting(value, source));
  }

  boolean has(String key) {
    return settings.containsKey(key);
  }

  Iterable<String> keys() {
    return List.copyOf(settings.keySet());
  }

  /**
   * The environment variable that overrides a key: pg.poolSize becomes FOYER_PG_POOL_SIZE, and the dashes of a
   * region's name become underscores too (regions.eu-west.pgUrl: FOYER_REGIONS_EU_WEST_PG_URL).
   */
  static String envName(String key) {
    String snake = key.replace('.', '_').replace('-', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2");
    return "FOYER_" + snake.toUpperCase(Locale.ROOT);
  }

  String text(String key) {
    return setting(key).value().trim();
  }

  int integer(String key, int min, int max) {
    String value = text(key);
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below with the accepted range
    }
    throw invalid(key, "must be a whole number from " + min + " to " + max);
  }

  boolean bool(String key) {
    String value = text(key).toLowerCase(Locale.ROOT);
    return switch (value) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw invalid(key, "must be true or false");
    };
  }

  String oneOf(String key, String... allowed) {
    String value = text(key).toLowerCase(Locale.ROOT);
    if (Arrays.asList(allowed).contains(value)) {
      return value;
    }
    throw invalid(key, "must be one of " + String.join(", ", allowed));
  }

  /** An empty value, or a URI with one of the given schemes, a host and optionally a port. */
  String uriOrEmpty(String key, String... schemes) {
    String value = text(key);
    if (value.isEmpty()) {
      return value;
    }
    String expected = "must be empty or a URI like " + schemes[0] + "://host:port/...";
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null || !Arrays.asList(schemes).contains(uri.getScheme()) || uri.getHost() == null) {
        throw invalid(key, expected);
      }
      return value;
    } catch (URISyntaxException e) {
      throw invalid(key, expected);
    }
  }

  /** Comma separated host:port list; empty gives an empty list. */
  List<String> hostPorts(String key) {
    String value = text(key);
    if (value.isEmpty()) {
      return List.of();
    }
    List<String> members = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String member : members) {
      int colon = member.lastIndexOf(':');
      boolean ok = colon > 0;
      if (ok) {
        try {
          int port = Integer.parseInt(member.substring(colon + 1));
          ok = port > 0 && port <= 65535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw invalid(key, "'" + member + "' is not host:port (list members as host:port,host:port)");
      }
    }
    return members;
  }

  ConfigException invalid(String key, String problem) {
    Setting setting = setting(key);
    // an error message ends up in terminals and logs: never echo a secret
    String shown = SECRET_KEYS.contains(key) ? "(hidden)" : "\"" + setting.value() + "\"";
    return new ConfigException("invalid configuration: " + key + " (" + setting.source() + ") = " + shown + ": "
        + problem);
  }

  private Setting setting(String key) {
    Setting setting = settings.get(key);
    if (setting == null) {
      throw new IllegalStateException("no default for configuration key " + key);
    }
    return setting;
  }
}
