package io.foyer.cli;

import io.foyer.FoyerVersion;
import io.foyer.bench.BenchCommand;
import io.foyer.bench.BroadcastBaselineServer;
import io.foyer.config.ConfigException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;

/** Entry point of the foyer command: `foyer run` (the default), `foyer migrate`. */
@Command(name = "foyer", mixinStandardHelpOptions = true, versionProvider = FoyerCommand.Version.class,
    description = "Real-time engagement server for virtual events.",
    subcommands = {RunCommand.class, MigrateCommand.class, BenchCommand.class, BroadcastBaselineServer.class},
    footer = {"", "Without a command, foyer runs the server (same as `foyer run`)."})
public final class FoyerCommand implements Callable<Integer> {

  /** Exit code for a configuration mistake. */
  static final int EXIT_CONFIG = 2;
  /** Exit code for a start-up failure that is not a configuration mistake. */
  static final int EXIT_START = 1;

  @Mixin
  ConfigOption config;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new FoyerCommand());
    cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
      if (error instanceof ConfigException) {
        commandLine.getErr().println("foyer: " + error.getMessage());
        return EXIT_CONFIG;
      }
      throw error;
    });
    return cli;
  }

  @Override
  public Integer call() {
    RunCommand run = new RunCommand();
    run.config = config;
    return run.call();
  }

  /** Reports the version Maven stamped into the build. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"foyer " + FoyerVersion.get()};
    }
  }
}
