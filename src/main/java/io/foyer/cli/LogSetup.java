package io.foyer.cli;

import io.foyer.config.FoyerConfig.LogConfig;

/**
 * Hands the configured log format and level to logback.xml through system properties. Must run before the
 * first logger is created, which is why the CLI loads configuration before it touches anything that logs.
 */
final class LogSetup {

  private LogSetup() {}

  static void apply(LogConfig log) {
    System.setProperty("foyer.log.format", log.format());
    System.setProperty("foyer.log.level", log.level().toUpperCase(java.util.Locale.ROOT));
    // Vert.x, Netty and Hazelcast all log through SLF4J, so one configuration covers them
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.setProperty("hazelcast.logging.type", "slf4j");
  }
}
