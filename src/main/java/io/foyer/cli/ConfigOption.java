package io.foyer.cli;

import io.foyer.config.ConfigLoader;
import io.foyer.config.FoyerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --config option every command shares. */
public final class ConfigOption {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "YAML configuration file (default: ./conf/foyer.yaml when present, else built-in defaults). "
          + "FOYER_* environment variables override it.")
  Path file;

  FoyerConfig load() {
    FoyerConfig config = ConfigLoader.load(file);
    LogSetup.apply(config.log());
    return config;
  }
}
