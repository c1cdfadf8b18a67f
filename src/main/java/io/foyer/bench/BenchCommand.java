package io.foyer.bench;

import picocli.CommandLine.Command;

/** `foyer bench <scenario>`: load generators that ship with the server, like pgbench with PostgreSQL. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmark a Foyer server.",
    subcommands = {RegisterBench.class, FanoutBench.class, StatementBench.class, VoteBench.class,
        QuizBench.class, LobbyBench.class, RegionsBench.class})
public final class BenchCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
