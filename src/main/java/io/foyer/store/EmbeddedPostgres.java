package io.foyer.store;

import com.sun.security.auth.module.UnixSystem;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server run from the binaries packaged on Maven Central, for the zero set-up default and
 * for tests on machines without a database. Blocking: call it from a worker thread.
 *
 * <p>PostgreSQL refuses to run as root, so when Foyer runs as root (containers, CI) the server runs as the
 * unprivileged user {@code nobody} through {@code runuser}, and the data directory is owned by that user.
 */
public final class EmbeddedPostgres implements AutoCloseable {

  static final String DATABASE = "foyer";
  private static final String SUPERUSER = "postgres";
  private static final String UNPRIVILEGED_USER = "nobody";
  private static final String OWNER_FILE = "foyer.owner";
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);

  private final Path binaries;
  private final Path dataDir;
  private final int port;
  private final boolean asRoot;
  private boolean running;

  private EmbeddedPostgres(Path binaries, Path dataDir, int port, boolean asRoot) {
    this.binaries = binaries;
    this.dataDir = dataDir;
    this.port = port;
    this.asRoot = asRoot;
  }

  /**
   * Starts a server on 127.0.0.1 with its data in dataDir, initialising the directory on first use.
   *
   * @param port the port, or 0 for a free one
   */
  public static EmbeddedPostgres start(Path dataDir, int port) throws IOException {
    Path binaries = extractBinaries();
    boolean asRoot = new UnixSystem().getUid() == 0;
    Path absoluteData = dataDir.toAbsolutePath().normalize();
    EmbeddedPostgres pg = new EmbeddedPostgres(binaries, absoluteData, port == 0 ? freePort() : port, asRoot);
    pg.initialiseIfNeeded();
    pg.stopOrphanedServer();
    pg.startServer();
    pg.createDatabaseIfMissing();
    return pg;
  }

  /** Connection URI for the Foyer database of this server. */
  public String url() {
    return "postgresql://" + SUPERUSER + "@127.0.0.1:" + port + "/" + DATABASE;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Stops the server with a fast shutdown (open transactions roll back; committed data is kept). */
  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    try {
      pgCtl("stop", "-m", "fast", "-w", "-t", "60");
      Files.deleteIfExists(dataDir.resolve(OWNER_FILE));
    } catch (IOException | RuntimeException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }

  private void initialiseIfNeeded() throws IOException {
    if (Files.exists(dataDir.resolve("PG_VERSION"))) {
      return;
    }
    Files.createDirectories(dataDir);
    try (Stream<Path> entries = Files.list(dataDir)) {
      if (entries.findAny().isPresent()) {
        throw new IOException("embedded PostgreSQL data directory " + dataDir
            + " is not empty but holds no database; empty it or choose another pg.embeddedDataDir");
      }
    }
    if (asRoot) {
      chownToUnprivileged(dataDir);
    }
    log.info("Initialising embedded PostgreSQL data directory {}", dataDir);
    run(List.of(bin("initdb"), "-D", dataDir.toString(), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
        "--no-locale"), 120);
  }

  /**
   * A server left running by a Foyer process that died without stopping it holds the data directory; stop it.
   * A server whose Foyer is still alive is another node's: refuse rather than take it away.
   */
  private void stopOrphanedServer() throws IOException {
    if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
      return;
    }
    Path ownerFile = dataDir.resolve(OWNER_FILE);
    if (Files.exists(ownerFile)) {
      long owner = Long.parseLong(Files.readString(ownerFile).trim());
      if (owner != ProcessHandle.current().pid() && ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
        throw new IOException("embedded PostgreSQL in " + dataDir + " is in use by another Foyer process (pid "
            + owner + "); stop it or set pg.embeddedDataDir to another directory");
      }
    }
    if (exitCode(List.of(bin("pg_ctl"), "status", "-D", dataDir.toString())) == 0) {
      log.warn("Stopping an embedded PostgreSQL left running by an earlier Foyer process in {}", dataDir);
      pgCtl("stop", "-m", "fast", "-w", "-t", "60");
    }
  }

  private void startServer() throws IOException {
    String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
        + "-c max_connections=300";
    pgCtl("start", "-w", "-t", "120", "-l", dataDir.resolve("server.log").toString(), "-o", options);
    running = true;
    Files.writeString(dataDir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
    log.info("Embedded PostgreSQL listening on 127.0.0.1:{} with data in {}", port, dataDir);
  }

  private void createDatabaseIfMissing() throws IOException {
    String jdbc = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (Connection connection = DriverManager.getConnection(jdbc, SUPERUSER, "");
         Statement statement = connection.createStatement()) {
      var rs = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
      if (!rs.next()) {
        statement.execute("CREATE DATABASE " + DATABASE);
      }
    } catch (SQLException e) {
      throw new IOException("embedded PostgreSQL started but the " + DATABASE + " database could not be created: "
          + e.getMessage(), e);
    }
  }

  private void pgCtl(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(bin("pg_ctl"), "-D", dataDir.toString()));
    command.addAll(List.of(args));
    run(command, 180);
  }

  private void run(List<String> command, int timeoutSeconds) throws IOException {
    Process process = start(command);
    String output = waitFor(process, timeoutSeconds);
    if (process.exitValue() != 0) {
      throw new IOException("embedded PostgreSQL: " + String.join(" ", command) + " failed with exit code "
          + process.exitValue() + ": " + output.strip());
    }
  }

  private int exitCode(List<String> command) throws IOException {
    Process process = start(command);
    waitFor(process, 60);
    return process.exitValue();
  }

  private Process start(List<String> command) throws IOException {
    List<String> full = new ArrayList<>();
    if (asRoot) {
      full.addAll(List.of("runuser", "-u", UNPRIVILEGED_USER, "--"));
    }
    full.addAll(command);
    return new ProcessBuilder(full).redirectErrorStream(true).start();
  }

  private static String waitFor(Process process, int timeoutSeconds) throws IOException {
    try {
      // pg_ctl start leaves the server holding no pipe of ours because of -l, so reading to EOF is safe
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("embedded PostgreSQL command timed out after " + timeoutSeconds + " s");
      }
      return output;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for embedded PostgreSQL", e);
    }
  }

  private String bin(String name) {
    return binaries.resolve("bin").resolve(name).toString();
  }

  private static void chownToUnprivileged(Path dir) throws IOException {
    var lookup = dir.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(dir, lookup.lookupPrincipalByName(UNPRIVILEGED_USER));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    // the server user must be able to reach the directory through its parents
    for (Path parent = dir.getParent(); parent != null; parent = parent.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(parent);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IOException("embedded PostgreSQL runs as '" + UNPRIVILEGED_USER + "' when Foyer runs as root, "
            + "but it cannot enter " + parent + "; choose a pg.embeddedDataDir under a directory others may enter");
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Unpacks the server binaries once per version into the temp directory; a directory is only used once it is
   * complete, so concurrent first starts cannot see half an install.
   */
  private static Path extractBinaries() throws IOException {
    String resource = "/postgres-" + platform() + ".txz";
    byte[] archive;
    try (InputStream in = EmbeddedPostgres.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no embedded PostgreSQL binaries for " + platform()
            + " in this build; set pg.url (FOYER_PG_URL) to an existing PostgreSQL server");
      }
      archive = in.readAllBytes();
    }
    Path target = Path.of(System.getProperty("java.io.tmpdir"), "foyer-postgres-" + digest(archive));
    if (Files.exists(target.resolve("bin").resolve("postgres"))) {
      return target;
    }
    Path staging = Files.createTempDirectory(target.getParent(), "foyer-postgres-staging-");
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new XZCompressorInputStream(new BufferedInputStream(new java.io.ByteArrayInputStream(archive))))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path out = staging.resolve(entry.getName()).normalize();
        if (!out.startsWith(staging)) {
          throw new IOException("unsafe path in PostgreSQL archive: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(out.getParent());
          Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          boolean executable = (entry.getMode() & 0100) != 0;
          Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
    Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
      deleteTree(staging); // another process finished first; use its copy
    }
    return target;
  }

  private static String platform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String osPart = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : os.replace(' ', '-');
    String archPart = switch (arch) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "arm_64";
      default -> arch;
    };
    return osPart + "-" + archPart;
  }

  private static String digest(byte[] bytes) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      log.debug("Could not remove staging directory {}", root, e);
    }
  }
}
