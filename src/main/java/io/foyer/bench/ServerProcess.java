package io.foyer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server under test in a process of its own, so that its CPU time and memory are its own: started from the
 * same classpath as the bench, measured through the operating system.
 */
public final class ServerProcess implements AutoCloseable {

  private final Process process;
  private final int port;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts `java -cp <this classpath> io.foyer.cli.FoyerCommand <args>` and waits until the port answers. */
  public static ServerProcess start(List<String> args, Map<String, String> env, int port, Path log) throws IOException {
    // after a full collection the JVM gives unused heap back to the system, so resident memory shows what the
    // server holds rather than the high-water mark of its garbage (same flags for Foyer and the baseline)
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
        "-cp", System.getProperty("java.class.path"), "io.foyer.cli.FoyerCommand"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    ServerProcess server = new ServerProcess(builder.start(), port);
    server.awaitPort(Duration.ofSeconds(120), log);
    return server;
  }

  /**
   * Starts a Foyer node (`foyer run`) on a free port of 127.0.0.1 with the given FOYER_* settings, the bench's
   * organizer key, and its generated files (and the embedded PostgreSQL, when no pg.url is configured) under
   * work/data, so that a bench never touches a deployment's own data directory.
   */
  static ServerProcess startNode(List<String> runArgs, Map<String, String> settings, String apiKey, Path work,
      String logName) throws IOException {
    int port = freePort();
    Map<String, String> env = new HashMap<>(settings);
    env.put("FOYER_HTTP_PORT", Integer.toString(port));
    env.put("FOYER_HTTP_HOST", "127.0.0.1");
    env.put("FOYER_AUTH_API_KEYS", "bench:" + apiKey + ":*");
    env.put("FOYER_DATA_DIR", work.resolve("data").toString());
    env.put("FOYER_PG_EMBEDDED_DATA_DIR", work.resolve("data/postgres").toString());
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(runArgs);
    return start(args, env, port, work.resolve(logName));
  }

  /** A directory for the logs and data of the servers one bench run starts. */
  static Path workDirectory(String bench) throws IOException {
    // others may enter: an embedded PostgreSQL started by a root bench runs as nobody
    return Files.createTempDirectory("foyer-bench-" + bench + "-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  /** Removes the data the stopped nodes of a bench run kept under work (an embedded database), keeping the logs. */
  static void deleteData(Path work) {
    Path data = work.resolve("data");
    if (!Files.exists(data)) {
      return;
    }
    try (Stream<Path> files = Files.walk(data)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a leftover temporary directory is not worth failing a finished run for
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Kills the process at once (SIGKILL), as a crash would: it runs no shutdown step of its own. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** CPU time the server has used so far (user and system). */
  long cpuNanos() {
    return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  /** Resident memory of the server now, after asking its JVM for a full collection. */
  long residentBytesAfterGc() throws IOException, InterruptedException {
    Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid()), "GC.run").redirectErrorStream(true).start();
    gc.getInputStream().readAllBytes();
    gc.waitFor(30, TimeUnit.SECONDS);
    Thread.sleep(500);
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  private void awaitPort(Duration timeout, Path log) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("server exited early; see " + log);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", interrupted);
        }
      }
    }
    throw new IOException("server did not listen on " + port + " in " + timeout.toSeconds() + " s; see " + log);
  }
}
