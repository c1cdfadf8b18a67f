package io.foyer.cli;

import io.foyer.FoyerApp;
import io.foyer.config.FoyerConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs a node until the process is told to stop (SIGINT or SIGTERM). */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the Foyer server (the default command).")
public final class RunCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Override
  public Integer call() {
    FoyerConfig loaded = config.load();
    Logger log = LoggerFactory.getLogger(RunCommand.class);
    FoyerApp app;
    try {
      app = FoyerApp.start(loaded).toCompletionStage().toCompletableFuture().join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      log.debug("Start-up failure", cause);
      System.err.println("foyer: could not start: " + String.valueOf(cause.getMessage()).replaceAll("\\s*\\R\\s*", " "));
      return FoyerCommand.EXIT_START;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("Stopping node {}", app.nodeId());
      try {
        app.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("Node did not stop cleanly: {}", e.toString());
      }
    }, "foyer-shutdown"));
    try {
      Thread.currentThread().join(); // the node runs on Vert.x threads until a signal ends the JVM
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
