package io.foyer;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version this build was made from, as Maven stamped it. */
public final class FoyerVersion {

  private static final String VERSION = load();

  private FoyerVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = FoyerVersion.class.getResourceAsStream("/foyer-version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("foyer.version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
