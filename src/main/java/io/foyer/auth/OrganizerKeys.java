package io.foyer.auth;

import io.foyer.config.FoyerConfig.ApiKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The organizer API keys a node accepts: from configuration, else from the key file in the data directory,
 * which a single node's first start creates with one key for every event (printed once).
 */
public final class OrganizerKeys {

  static final String KEY_FILE = "organizer-keys";
  private static final Logger log = LoggerFactory.getLogger(OrganizerKeys.class);

  /** Keys by the SHA-256 of their secret: lookups take the same time whatever the presented secret. */
  private final Map<String, Organizer> byDigest = new HashMap<>();

  private OrganizerKeys(List<ApiKey> keys) {
    for (ApiKey key : keys) {
      byDigest.put(digest(key.secret()), new Organizer(key.name(), key.eventScope()));
    }
  }

  /**
   * Blocking (file I/O). With no keys configured, reads data.dir/organizer-keys, creating it on first start
   * unless this node is part of a cluster (whose nodes must share configured keys).
   */
  public static OrganizerKeys load(List<ApiKey> configured, Path dataDir) throws IOException {
    if (!configured.isEmpty()) {
      return new OrganizerKeys(configured);
    }
    Path file = dataDir.resolve(KEY_FILE);
    if (!Files.exists(file)) {
      String secret = "foy_" + GeneratedSecrets.random(24);
      String line = "admin:" + secret + ":*";
      if (GeneratedSecrets.createPrivate(file, "# name:secret:scope (scope * = every event), one key a line\n"
          + line + "\n")) {
        log.info("Generated organizer API key 'admin' for every event: {}  (kept in {}; shown only this once)",
            secret, file.toAbsolutePath());
      }
    }
    return new OrganizerKeys(parse(file));
  }

  public Optional<Organizer> authenticate(String secret) {
    return Optional.ofNullable(byDigest.get(digest(secret)));
  }

  private static List<ApiKey> parse(Path file) throws IOException {
    List<ApiKey> keys = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] parts = trimmed.split(":", -1);
      if (parts.length != 3 || parts[1].length() < 16) {
        throw new IOException("malformed line in " + file + ": expected name:secret:scope");
      }
      keys.add(new ApiKey(parts[0], parts[1], parts[2].equals("*") ? null : Long.parseLong(parts[2])));
    }
    return keys;
  }

  private static String digest(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
