package io.foyer.bench;

import io.foyer.config.ConfigLoader;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Option;

/** The server a load-generating bench drives: the one at --url, or a node it starts in a process of its own. */
final class Target {

  @Option(names = "--url", paramLabel = "URL",
      description = "Server to drive, e.g. http://127.0.0.1:8080 (default: start a node in a process of its own)")
  URI url;

  @Option(names = "--api-key", paramLabel = "KEY", description = "Organizer API key for --url (creates the events)")
  String apiKey;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration of the node the bench starts (default: ./conf/foyer.yaml when present)")
  Path config;

  /** Where FOYER_* settings of the started node come from; tests replace it. */
  Map<String, String> environment = System.getenv();

  /** The arguments of `foyer run` for the node the bench starts. */
  List<String> runArgs() {
    return config == null ? List.of() : List.of("--config", config.toString());
  }

  /** A bench's run against a server: its base URL, an organizer key, and where it runs (for the report). */
  @FunctionalInterface
  interface Run {
    int against(URI base, String apiKey, String where) throws Exception;
  }

  /** A bench's run that also reads the node it started (its memory, say); node is null against --url. */
  @FunctionalInterface
  interface NodeRun {
    int against(URI base, String apiKey, String where, ServerProcess node) throws Exception;
  }

  int run(String scenario, Run run) throws Exception {
    return runWithNode(scenario, (base, key, where, node) -> run.against(base, key, where));
  }

  /**
   * Runs a bench against --url, or against a node it starts in a process of its own (as users deploy it), whose
   * data it deletes afterwards; a configuration mistake stops the bench before it starts anything.
   */
  int runWithNode(String scenario, NodeRun run) throws Exception {
    if (url != null) {
      return run.against(url, apiKey, "server: " + url + ", not started by the bench", null);
    }
    ConfigLoader.load(config, environment);
    Path work = ServerProcess.workDirectory(scenario);
    String key = "bench-" + UUID.randomUUID();
    try (ServerProcess node = ServerProcess.startNode(runArgs(), environment, key, work, "foyer.log")) {
      return run.against(URI.create("http://127.0.0.1:" + node.port()), key,
          "node: a process of its own (foyer run); logs in " + work, node);
    } finally {
      ServerProcess.deleteData(work);
    }
  }
}
