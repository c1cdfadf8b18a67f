package io.foyer.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Merges the bundled defaults, an optional YAML file and FOYER_* environment variables into a validated
 * {@link FoyerConfig}. The bundled conf/foyer.yaml is the schema: a key it lacks is a typo and refused.
 */
public final class ConfigLoader {

  static final String SOURCES_KEY = "_sources";
  private static final String DEFAULTS_RESOURCE = "/foyer.yaml";
  private static final Path CONVENTIONAL_FILE = Path.of("conf", "foyer.yaml");
  /** Providers are sections named by the operator, each with the keys of the template section. */
  static final String PROVIDERS = "sso.providers";
  static final String PROVIDER_DEFAULTS = "sso.providerDefaults";
  static final String PROVIDER_ID = "[a-z0-9]{1,32}";
  /**
   * Regions are sections named by the operator too (regions.eu-west.pgUrl). A name is lower-case letters and
   * digits in dash-separated words, so that its environment form (EU_WEST) maps back to exactly one name.
   */
  static final String REGIONS = "regions";
  static final String REGION_NAME = "[a-z0-9]+(-[a-z0-9]+)*";
  static final String REGION_PG_URL = "pgUrl";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigLoader() {}

  /**
   * @param configFile a file named by --config (must exist), or null to use ./conf/foyer.yaml when present
   * @param env the environment, normally System.getenv()
   */
  public static FoyerConfig load(Path configFile, Map<String, String> env) {
    RawSettings raw = new RawSettings();
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("bundled defaults " + DEFAULTS_RESOURCE + " missing from the jar");
      }
      flatten(YAML.readTree(in), "", "defaults", raw, null);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read bundled defaults", e);
    }
    List<String> sources = new ArrayList<>(List.of("defaults"));
    Path file = configFile != null ? configFile : Files.isRegularFile(CONVENTIONAL_FILE) ? CONVENTIONAL_FILE : null;
    if (file != null) {
      readFile(file, raw);
      sources.add(file.toString());
    }
    boolean fromEnvironment = providersFromEnvironment(env, raw);
    fromEnvironment |= regionsFromEnvironment(env, raw);
    for (String key : raw.keys()) {
      String value = env.get(RawSettings.envName(key));
      if (value != null) {
        raw.put(key, value, "environment " + RawSettings.envName(key));
        fromEnvironment = true;
      }
    }
    if (fromEnvironment) {
      sources.add("environment");
    }
    raw.put(SOURCES_KEY, String.join(" < ", sources), "loader");
    return FoyerConfig.from(raw);
  }

  /** Loads from the real environment. */
  public static FoyerConfig load(Path configFile) {
    return load(configFile, System.getenv());
  }

  private static void readFile(Path file, RawSettings raw) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("configuration file " + file + " does not exist or is not a file");
    }
    try {
      JsonNode tree = YAML.readTree(file.toFile());
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        return; // an empty file changes nothing
      }
      if (!tree.isObject()) {
        throw new ConfigException("configuration file " + file + " must hold sections of keys (YAML mapping)");
      }
      flatten(tree, "", file.toString(), raw, file);
    } catch (JacksonException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new ConfigException("configuration file " + file + " is not valid YAML" + where + ": "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
    }
  }

  /**
   * FOYER_SSO_PROVIDERS_<ID>_<KEY> variables may name a provider the file does not: each becomes the key
   * sso.providers.<id>.<key>, which the loop over known keys then sets. Answers whether there was one.
   */
  private static boolean providersFromEnvironment(Map<String, String> env, RawSettings raw) {
    String prefix = RawSettings.envName(PROVIDERS) + "_";
    boolean found = false;
    for (String name : env.keySet()) {
      if (!name.startsWith(prefix)) {
        continue;
      }
      String rest = name.substring(prefix.length());
      int underscore = rest.indexOf('_');
      String id = underscore < 0 ? "" : rest.substring(0, underscore).toLowerCase(java.util.Locale.ROOT);
      String providerKey = underscore < 0 ? null : providerKeyOf(raw, rest.substring(underscore + 1));
      if (!id.matches(PROVIDER_ID) || providerKey == null) {
        throw new ConfigException("invalid configuration: environment variable " + name + " is not "
            + prefix + "<ID>_<KEY> with an id of lower-case letters and digits and a key of "
            + PROVIDER_DEFAULTS + " (see conf/foyer.yaml)");
      }
      String key = PROVIDERS + "." + id + "." + providerKey;
      if (!raw.has(key)) {
        raw.put(key, raw.text(PROVIDER_DEFAULTS + "." + providerKey), "defaults");
      }
      found = true;
    }
    return found;
  }

  /**
   * FOYER_REGIONS_<NAME>_PG_URL variables may name a region the file does not: FOYER_REGIONS_EU_WEST_PG_URL
   * becomes the key regions.eu-west.pgUrl (underscores of the name read as dashes), which the loop over known keys
   * then sets. Answers whether there was one.
   */
  private static boolean regionsFromEnvironment(Map<String, String> env, RawSettings raw) {
    String prefix = RawSettings.envName(REGIONS) + "_";
    String suffix = "_" + RawSettings.envName(REGION_PG_URL).substring("FOYER_".length());
    boolean found = false;
    for (String name : env.keySet()) {
      if (!name.startsWith(prefix)) {
        continue;
      }
      String region = name.endsWith(suffix) && name.length() > prefix.length() + suffix.length()
          ? name.substring(prefix.length(), name.length() - suffix.length()).toLowerCase(java.util.Locale.ROOT)
              .replace('_', '-')
          : "";
      if (!region.matches(REGION_NAME) || region.length() > 32) {
        throw new ConfigException("invalid configuration: environment variable " + name + " is not "
            + prefix + "<NAME>" + suffix + " with a region name of upper-case letters and digits in words "
            + "separated by _ (FOYER_REGIONS_EU_WEST_PG_URL sets regions.eu-west.pgUrl; see conf/foyer.yaml)");
      }
      String key = REGIONS + "." + region + "." + REGION_PG_URL;
      if (!raw.has(key)) {
        raw.put(key, "", "defaults");
      }
      found = true;
    }
    return found;
  }

  /**
   * A key of a region section in a file (regions.eu-west.pgUrl) is valid when its name is and its last part is
   * pgUrl; it is answered then, else null when it is no region key at all.
   */
  private static String regionKey(String key, Path file) {
    if (!key.startsWith(REGIONS + ".")) {
      return null;
    }
    String[] parts = key.split("\\.");
    if (parts.length != 3 || !parts[1].matches(REGION_NAME) || parts[1].length() > 32
        || !parts[2].equals(REGION_PG_URL)) {
      throw new ConfigException("invalid configuration: " + key + " in " + file + " is not " + REGIONS
          + ".<name>." + REGION_PG_URL + " with a name of lower-case letters and digits in words separated by "
          + "dashes, e.g. regions.eu-west.pgUrl (see conf/foyer.yaml)");
    }
    return key;
  }

  /** The provider key (clientSecret) whose environment suffix is the given one (CLIENT_SECRET), or null. */
  private static String providerKeyOf(RawSettings raw, String envSuffix) {
    for (String key : raw.keys()) {
      if (key.startsWith(PROVIDER_DEFAULTS + ".")
          && RawSettings.envName(key).equals(RawSettings.envName(PROVIDER_DEFAULTS) + "_" + envSuffix)) {
        return key.substring(PROVIDER_DEFAULTS.length() + 1);
      }
    }
    return null;
  }

  /**
   * A key of a provider section in a file (sso.providers.corp.issuer) is valid when its id is and its last part is
   * a key of sso.providerDefaults; it is answered with that provider's defaults filled in, else null.
   */
  private static String providerKey(String key, RawSettings raw, Path file) {
    String[] parts = key.split("\\.");
    if (!key.startsWith(PROVIDERS + ".") || parts.length != 4) {
      return null;
    }
    if (!parts[2].matches(PROVIDER_ID) || !raw.has(PROVIDER_DEFAULTS + "." + parts[3])) {
      throw new ConfigException("invalid configuration: " + key + " in " + file + " is not "
          + PROVIDERS + ".<id>.<key> with an id of lower-case letters and digits (1-32) and a key of "
          + PROVIDER_DEFAULTS + " (see conf/foyer.yaml)");
    }
    return key;
  }

  /** Walks sections into dotted keys; with a file, every key must already exist in the defaults. */
  private static void flatten(JsonNode node, String prefix, String source, RawSettings raw, Path file) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        flatten(value, key + ".", source, raw, file);
        continue;
      }
      if (file != null && !raw.has(key) && providerKey(key, raw, file) == null && regionKey(key, file) == null) {
        throw new ConfigException("invalid configuration: unknown key " + key + " in " + file
            + " (see conf/foyer.yaml for the keys)");
      }
      if (value.isContainerNode()) {
        throw new ConfigException("invalid configuration: " + key + " in " + source + " must be a single value");
      }
      raw.put(key, value.isNull() ? "" : value.asText(), source);
    }
  }
}
