package io.foyer.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The whole configuration of a node, parsed once and validated; nothing else reads raw settings. */
public record FoyerConfig(
    HttpConfig http,
    NodeConfig node,
    Path dataDir,
    AuthConfig auth,
    SsoConfig sso,
    PgConfig pg,
    RegionsConfig regions,
    RedisConfig redis,
    LiveConfig live,
    GatewayConfig gateway,
    WriterConfig writer,
    InteractionsConfig interactions,
    LobbyConfig lobby,
    ClusterConfig cluster,
    LogConfig log,
    String sources) {

  /** requestTimeout: an /api request nothing answered within it gets 503 unavailable. */
  public record HttpConfig(String host, int port, int instances, long maxBodyBytes, Duration requestTimeout) {}

  /**
   * Who this node is, and how often it says it is alive in LiveState: a node silent for deadAfter is taken as
   * dead, and a surviving node removes its presence share and closes its open attendance stays.
   */
  /** transport: auto, epoll, io_uring or nio (the network layer under every server and client of the node). */
  public record NodeConfig(String id, String region, Duration heartbeatInterval, Duration deadAfter,
      String transport) {}

  /** Organizer API keys (empty: use or generate the key file) and the attendee token secret (empty: file). */
  public record AuthConfig(List<ApiKey> apiKeys, String tokenSecret, Duration attendeeTokenTtl) {}

  /** An organizer API key; eventScope is null for a key that may act on every event. */
  public record ApiKey(String name, String secret, Long eventScope) {}

  /**
   * Single sign-on: where browsers reach this node (redirects come back to publicUrl/auth/<id>/callback), how long a
   * sign-in lasts, whether its cookie is Secure, and the OpenID Connect providers (none: no sign-in offered).
   */
  public record SsoConfig(String publicUrl, Duration sessionTtl, boolean secureCookie, List<SsoProvider> providers) {
    public boolean enabled() {
      return !providers.isEmpty();
    }
  }

  /** One OpenID Connect provider; clientSecret is empty for a public client. */
  public record SsoProvider(String id, String label, String issuer, String clientId, String clientSecret,
      List<String> scopes, String rolesClaim, io.foyer.sso.RoleMapping roles, boolean attendees) {}

  /** PostgreSQL: an external server when url is set, else the embedded one. */
  public record PgConfig(String url, int poolSize, Path embeddedDataDir, int embeddedPort) {
    public boolean embedded() {
      return url.isEmpty();
    }
  }

  /**
   * Data residency: the PostgreSQL URL of each region by name (empty: one database, as before regions). An event's
   * rows live in its home region's database only; the node's own region (node.region) uses pg.url, or the embedded
   * server, unless it is listed here.
   */
  public record RegionsConfig(java.util.SortedMap<String, String> pgUrls) {
    public boolean configured() {
      return !pgUrls.isEmpty();
    }
  }

  public record RedisConfig(String url, int poolSize) {
    public boolean configured() {
      return !url.isEmpty();
    }
  }

  /** Which LiveState engine runs, and how much topic history it keeps for resume. */
  public record LiveConfig(Engine engine, int historySize, Duration historyMaxAge, String keyPrefix) {}

  public enum Engine { MEMORY, REDIS }

  /** WebSocket gateway limits and timeouts. */
  public record GatewayConfig(Duration pingInterval, Duration idleTimeout, Duration authTimeout, int maxMessageBytes,
      int writeQueueMaxBytes, int inboundRatePerSecond, int inboundBurst, List<String> allowedOrigins,
      boolean compression, Duration reconnectJitter) {}

  /**
   * Group-commit settings of the batching writer. A row is refused when maxQueuedRows are queued, or when the
   * queued rows would take longer than maxExpectedWait to commit at the measured rate (zero: no such bound).
   */
  public record WriterConfig(int maxBatchRows, Duration linger, int maxQueuedRows, int maxConcurrentBatches,
      Duration maxExpectedWait) {}

  /**
   * Polls and quizzes: word-cloud answers containing a blocked word are refused. Every LiveState key they write
   * (tallies, leaderboards) expires liveStateTtl after its last write, so keys nobody needs any more go by
   * themselves, even those of a node that died.
   */
  public record InteractionsConfig(java.util.Set<String> wordCloudBlocklist, Duration liveStateTtl) {}

  /**
   * Joins of any event's lobby allowed per client address, and per email, in a minute (0: no limit); the lobby
   * driver's tick (how often the serving counters advance).
   */
  public record LobbyConfig(int joinsPerAddressPerMinute, int joinsPerEmailPerMinute, Duration tick) {}

  /**
   * Clustering: membership (Hazelcast, TCP-IP join), the shared secret the cluster's name is derived from, the
   * event bus's mutual TLS (all three PEM paths, or none), the address other nodes reach this one at when it is
   * not the one it binds (NAT, a proxy), and how pushes travel between nodes.
   */
  public record ClusterConfig(boolean enabled, String host, int port, List<String> members, int busPort,
      String secret, Path busTlsCert, Path busTlsKey, Path busTlsCa, String publicHost, int publicPort,
      int busPublicPort, Pushes pushes) {
    public boolean busTls() {
      return busTlsCert != null;
    }
  }

  /** How a push reaches the nodes whose sockets want it: the event bus, or Redis pub/sub (across clusters too). */
  public enum Pushes { BUS, REDIS }

  public record LogConfig(String format, String level) {}

  static FoyerConfig from(RawSettings raw) {
    HttpConfig http = new HttpConfig(
        nonEmpty(raw, "http.host"),
        raw.integer("http.port", 0, 65535),
        raw.integer("http.instances", 0, 256),
        raw.integer("http.maxBodyBytes", 1024, 64 * 1024 * 1024),
        Duration.ofSeconds(raw.integer("http.requestTimeoutSeconds", 1, 3600)));
    NodeConfig node = new NodeConfig(raw.text("node.id"), nonEmpty(raw, "node.region"),
        Duration.ofSeconds(raw.integer("node.heartbeatSeconds", 1, 300)),
        Duration.ofSeconds(raw.integer("node.deadAfterSeconds", 2, 3600)),
        raw.oneOf("node.transport", "auto", "epoll", "io_uring", "nio"));
    if (node.deadAfter().compareTo(node.heartbeatInterval().multipliedBy(2)) < 0) {
      throw raw.invalid("node.deadAfterSeconds", "must be at least twice node.heartbeatSeconds, so that one late "
          + "heartbeat does not count a live node as dead");
    }
    Path dataDir = Path.of(nonEmpty(raw, "data.dir"));
    AuthConfig auth = new AuthConfig(apiKeys(raw), tokenSecret(raw),
        Duration.ofHours(raw.integer("auth.attendeeTokenTtlHours", 1, 24 * 366)));
    SsoConfig sso = sso(raw);
    PgConfig pg = new PgConfig(
        raw.uriOrEmpty("pg.url", "postgresql", "postgres"),
        raw.integer("pg.poolSize", 1, 1000),
        Path.of(nonEmpty(raw, "pg.embeddedDataDir")),
        raw.integer("pg.embeddedPort", 0, 65535));
    RegionsConfig regions = regions(raw, node);
    RedisConfig redis = new RedisConfig(
        raw.uriOrEmpty("redis.url", "redis", "rediss"),
        raw.integer("redis.poolSize", 1, 1000));
    LiveConfig live = new LiveConfig(
        engine(raw, redis),
        raw.integer("live.historySize", 1, 1_000_000),
        Duration.ofSeconds(raw.integer("live.historyMaxAgeSeconds", 1, 7 * 24 * 3600)),
        keyPrefix(raw));
    GatewayConfig gateway = new GatewayConfig(
        Duration.ofSeconds(raw.integer("gateway.pingIntervalSeconds", 1, 3600)),
        Duration.ofSeconds(raw.integer("gateway.idleTimeoutSeconds", 2, 7200)),
        Duration.ofSeconds(raw.integer("gateway.authTimeoutSeconds", 1, 600)),
        raw.integer("gateway.maxMessageBytes", 256, 1024 * 1024),
        raw.integer("gateway.writeQueueMaxBytes", 4096, 64 * 1024 * 1024),
        raw.integer("gateway.inboundRatePerSecond", 1, 10_000),
        raw.integer("gateway.inboundBurst", 1, 100_000),
        origins(raw),
        raw.bool("gateway.compression"),
        Duration.ofSeconds(raw.integer("gateway.reconnectJitterSeconds", 0, 600)));
    WriterConfig writer = new WriterConfig(
        raw.integer("writer.maxBatchRows", 1, 100_000),
        Duration.ofMillis(raw.integer("writer.lingerMillis", 0, 10_000)),
        raw.integer("writer.maxQueuedRows", 1, 10_000_000),
        raw.integer("writer.maxConcurrentBatches", 1, 64),
        Duration.ofMillis(raw.integer("writer.maxExpectedWaitMillis", 0, 600_000)));
    InteractionsConfig interactions = new InteractionsConfig(blocklist(raw),
        Duration.ofSeconds(raw.integer("interactions.liveStateTtlSeconds", 1, 366 * 24 * 3600)));
    LobbyConfig lobby = new LobbyConfig(
        raw.integer("lobby.joinsPerAddressPerMinute", 0, 1_000_000_000),
        raw.integer("lobby.joinsPerEmailPerMinute", 0, 1_000_000_000),
        Duration.ofMillis(raw.integer("lobby.tickMillis", 20, 5_000)));
    ClusterConfig cluster = new ClusterConfig(
        raw.bool("cluster.enabled"),
        nonEmpty(raw, "cluster.host"),
        raw.integer("cluster.port", 1, 65535),
        raw.hostPorts("cluster.members"),
        raw.integer("cluster.busPort", 0, 65535),
        raw.text("cluster.secret"),
        pemFile(raw, "cluster.busTlsCertPath"),
        pemFile(raw, "cluster.busTlsKeyPath"),
        pemFile(raw, "cluster.busTlsCaPath"),
        raw.text("cluster.publicHost"),
        raw.integer("cluster.publicPort", 0, 65535),
        raw.integer("cluster.busPublicPort", 0, 65535),
        Pushes.valueOf(raw.oneOf("cluster.pushes", "bus", "redis").toUpperCase(java.util.Locale.ROOT)));
    if (cluster.pushes() == Pushes.REDIS && live.engine() != Engine.REDIS) {
      throw raw.invalid("cluster.pushes", "pushes over Redis need the Redis engine: set redis.url (FOYER_REDIS_URL) "
          + "and leave live.engine at auto or redis");
    }
    long tlsFiles = java.util.stream.Stream.of(cluster.busTlsCert(), cluster.busTlsKey(), cluster.busTlsCa())
        .filter(java.util.Objects::nonNull).count();
    if (tlsFiles != 0 && tlsFiles != 3) {
      throw raw.invalid("cluster.busTlsCertPath", "the event bus's TLS needs all three of cluster.busTlsCertPath, "
          + "cluster.busTlsKeyPath and cluster.busTlsCaPath, or none of them");
    }
    if (cluster.enabled() && live.engine() != Engine.REDIS) {
      throw raw.invalid("cluster.enabled",
          "a cluster needs shared LiveState: set redis.url (FOYER_REDIS_URL) and leave live.engine at auto or redis");
    }
    if (cluster.enabled() && (auth.apiKeys().isEmpty() || auth.tokenSecret().isEmpty())) {
      throw raw.invalid("cluster.enabled", "every node of a cluster must share its keys: set auth.apiKeys "
          + "(FOYER_AUTH_API_KEYS) and auth.tokenSecret (FOYER_AUTH_TOKEN_SECRET)");
    }
    if (cluster.enabled() && cluster.secret().length() < 16) {
      throw raw.invalid("cluster.secret", "a cluster needs a shared secret of at least 16 characters "
          + "(FOYER_CLUSTER_SECRET), the same on every node: nodes join only nodes with the same secret");
    }
    if (writer.maxBatchRows() > writer.maxQueuedRows()) {
      throw raw.invalid("writer.maxBatchRows", "must not exceed writer.maxQueuedRows");
    }
    LogConfig log = new LogConfig(
        raw.oneOf("log.format", "text", "json"),
        raw.oneOf("log.level", "trace", "debug", "info", "warn", "error"));
    return new FoyerConfig(http, node, dataDir, auth, sso, pg, regions, redis, live, gateway, writer, interactions,
        lobby, cluster, log,
        raw.text(ConfigLoader.SOURCES_KEY));
  }

  /** The regions.<name>.pgUrl sections; each needs a PostgreSQL URL, and the node's region a name like theirs. */
  private static RegionsConfig regions(RawSettings raw, NodeConfig node) {
    java.util.SortedMap<String, String> urls = new java.util.TreeMap<>();
    for (String key : raw.keys()) {
      if (key.startsWith(ConfigLoader.REGIONS + ".")) {
        String url = raw.uriOrEmpty(key, "postgresql", "postgres");
        if (url.isEmpty()) {
          throw raw.invalid(key, "is required for a region: its PostgreSQL URI, e.g. "
              + "postgresql://user:password@db.eu-west.example:5432/foyer");
        }
        urls.put(key.split("\\.")[1], url);
      }
    }
    if (!urls.isEmpty() && (!node.region().matches(ConfigLoader.REGION_NAME) || node.region().length() > 32)) {
      throw raw.invalid("node.region", "with regions configured, must be a region name: lower-case letters and "
          + "digits in words separated by dashes, e.g. eu-west");
    }
    return new RegionsConfig(java.util.Collections.unmodifiableSortedMap(urls));
  }

  /** An empty value, or a readable file. */
  private static Path pemFile(RawSettings raw, String key) {
    String value = raw.text(key);
    if (value.isEmpty()) {
      return null;
    }
    Path path = Path.of(value);
    if (!java.nio.file.Files.isReadable(path) || java.nio.file.Files.isDirectory(path)) {
      throw raw.invalid(key, "must name a readable PEM file");
    }
    return path;
  }

  private static SsoConfig sso(RawSettings raw) {
    List<SsoProvider> providers = new java.util.ArrayList<>();
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (String key : raw.keys()) {
      if (key.startsWith(ConfigLoader.PROVIDERS + ".")) {
        ids.add(key.split("\\.")[2]);
      }
    }
    for (String id : ids) {
      providers.add(provider(raw, id));
    }
    String publicUrl = raw.text("sso.publicUrl");
    if (!publicUrl.isEmpty()) {
      publicUrl = raw.uriOrEmpty("sso.publicUrl", "https", "http");
      java.net.URI uri = java.net.URI.create(publicUrl);
      if ((uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) || uri.getQuery() != null
          || uri.getFragment() != null || uri.getUserInfo() != null) {
        throw raw.invalid("sso.publicUrl", "must be scheme://host[:port] alone, without a path, query or user");
      }
      publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    } else if (!providers.isEmpty()) {
      throw raw.invalid("sso.publicUrl", "is needed with a provider configured: providers send people back to "
          + "<publicUrl>/auth/<id>/callback (e.g. https://events.example.com)");
    }
    return new SsoConfig(publicUrl, Duration.ofHours(raw.integer("sso.sessionHours", 1, 720)),
        raw.bool("sso.secureCookie"), List.copyOf(providers));
  }

  private static SsoProvider provider(RawSettings raw, String id) {
    java.util.function.Function<String, String> key = name -> {
      String full = ConfigLoader.PROVIDERS + "." + id + "." + name;
      if (!raw.has(full)) {
        raw.put(full, raw.text(ConfigLoader.PROVIDER_DEFAULTS + "." + name), "defaults");
      }
      return full;
    };
    String issuer = raw.uriOrEmpty(key.apply("issuer"), "https", "http");
    if (issuer.isEmpty()) {
      throw raw.invalid(key.apply("issuer"), "is required: the provider's issuer URL, e.g. "
          + "https://login.example.com/realms/events");
    }
    String clientId = raw.text(key.apply("clientId"));
    if (clientId.isEmpty()) {
      throw raw.invalid(key.apply("clientId"), "is required: the client id registered with the provider");
    }
    List<String> scopes = new java.util.ArrayList<>(List.of("openid"));
    for (String scope : raw.text(key.apply("scopes")).split("\\s+")) {
      if (!scope.isEmpty() && !scopes.contains(scope)) {
        scopes.add(scope);
      }
    }
    String rolesClaim = raw.text(key.apply("rolesClaim"));
    if (!rolesClaim.matches("[A-Za-z0-9_:/-]+(\\.[A-Za-z0-9_:/-]+)*")) {
      throw raw.invalid(key.apply("rolesClaim"), "must be a claim name, or a dotted path such as realm_access.roles");
    }
    io.foyer.sso.RoleMapping roles;
    try {
      roles = io.foyer.sso.RoleMapping.parse(raw.text(key.apply("roles")));
    } catch (IllegalArgumentException e) {
      throw raw.invalid(key.apply("roles"), e.getMessage());
    }
    String label = raw.text(key.apply("label"));
    // the issuer is kept exactly as written: some end in a slash, and ID tokens must name it exactly
    return new SsoProvider(id, label.isEmpty() ? id : label, issuer, clientId, raw.text(key.apply("clientSecret")), List.copyOf(scopes), rolesClaim, roles,
        raw.bool(key.apply("attendees")));
  }

  private static Engine engine(RawSettings raw, RedisConfig redis) {
    String engine = raw.oneOf("live.engine", "auto", "memory", "redis");
    if (engine.equals("redis") && !redis.configured()) {
      throw raw.invalid("live.engine", "the redis engine needs redis.url (FOYER_REDIS_URL)");
    }
    if (engine.equals("auto")) {
      return redis.configured() ? Engine.REDIS : Engine.MEMORY;
    }
    return engine.equals("redis") ? Engine.REDIS : Engine.MEMORY;
  }

  private static List<ApiKey> apiKeys(RawSettings raw) {
    List<ApiKey> keys = new java.util.ArrayList<>();
    for (String entry : raw.text("auth.apiKeys").split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] parts = entry.trim().split(":", -1);
      if (parts.length != 3 || !parts[0].matches("[A-Za-z0-9_.-]+") || parts[1].length() < 16
          || !(parts[2].equals("*") || parts[2].matches("[1-9][0-9]{0,17}"))) {
        throw raw.invalid("auth.apiKeys", "each key must be name:secret:scope with a secret of at least 16 "
            + "characters and scope * or an event id");
      }
      if (keys.stream().anyMatch(k -> k.name().equals(parts[0]) || k.secret().equals(parts[1]))) {
        throw raw.invalid("auth.apiKeys", "key names and secrets must be unique");
      }
      keys.add(new ApiKey(parts[0], parts[1], parts[2].equals("*") ? null : Long.parseLong(parts[2])));
    }
    return List.copyOf(keys);
  }

  private static List<String> origins(RawSettings raw) {
    List<String> origins = new java.util.ArrayList<>();
    for (String origin : raw.text("gateway.allowedOrigins").split(",")) {
      String trimmed = origin.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!trimmed.matches("https?://[^/\\s]+")) {
        throw raw.invalid("gateway.allowedOrigins", "'" + trimmed + "' is not an origin like https://events.example.org");
      }
      origins.add(trimmed.toLowerCase(java.util.Locale.ROOT));
    }
    return List.copyOf(origins);
  }

  /** The blocked words as given (the interactions capability normalises them as it does answers). */
  private static java.util.Set<String> blocklist(RawSettings raw) {
    java.util.Set<String> words = new java.util.LinkedHashSet<>();
    for (String word : raw.text("interactions.wordCloudBlocklist").split(",")) {
      if (!word.isBlank()) {
        words.add(word.strip());
      }
    }
    return java.util.Set.copyOf(words);
  }

  private static String keyPrefix(RawSettings raw) {
    String prefix = raw.text("live.keyPrefix");
    if (!prefix.matches("[A-Za-z0-9_.:-]{1,64}")) {
      throw raw.invalid("live.keyPrefix", "must be 1 to 64 letters, digits or _ . : -");
    }
    return prefix;
  }

  private static String tokenSecret(RawSettings raw) {
    String secret = raw.text("auth.tokenSecret");
    if (!secret.isEmpty() && secret.length() < 32) {
      throw raw.invalid("auth.tokenSecret", "must be at least 32 characters");
    }
    return secret;
  }

  private static String nonEmpty(RawSettings raw, String key) {
    String value = raw.text(key);
    if (value.isEmpty()) {
      throw raw.invalid(key, "must not be empty");
    }
    return value;
  }
}
