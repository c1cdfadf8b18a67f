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
    for (String key : raw.keys()) {
      String value = env.get(RawSettings.envName(key));
      if (value != null) {
        raw.put(key, value, "environment " + RawSettings.envName(key));
        if (!sources.contains("environment")) {
          sources.add("environment");
        }
      }
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
      if (file != null && !raw.has(key)) {
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
