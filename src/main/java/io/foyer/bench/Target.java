package io.foyer.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
}
