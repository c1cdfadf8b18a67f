package io.foyer.bench;

import picocli.CommandLine.Option;

/** The event loops a WebSocket bench spreads its clients over, as browsers are spread over machines. */
final class EventLoopsOption {

  @Option(names = "--event-loops", defaultValue = "2", description = "The bench's event loops: its clients' "
      + "sockets are spread over them, each loop sending for and reading its own; 1 puts every socket on one thread, "
      + "whose queueing then lands in the figures (default: ${DEFAULT-VALUE})")
  int count;

  boolean valid() {
    return count >= 1 && count <= 64;
  }
}
