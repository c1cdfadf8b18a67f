package io.foyer.gateway;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.NodeJs;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The short version of the reconnect soak (src/test/resources/reconnect-soak.mjs, docs/operations.md): two
 * nodes sharing Redis, attendees dropped and reconnected at random to either node while announcements are
 * posted to both. Every attendee ends with every announcement once, in order, and neither node meets an
 * exception nobody handled.
 */
class ReconnectSoakTest {

  @Test
  void attendeesDroppedAndReconnectedAtRandomMissNothingAndNoNodeFails() throws Exception {
    NodeJs.require();
    Map<String, String> redis = Map.of("FOYER_LIVE_ENGINE", "redis", "FOYER_REDIS_URL", TestServices.redisUrl());
    List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    List<FoyerApp> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        FoyerApp node = TestNodes.start(redis);
        node.vertx().exceptionHandler(unhandled::add);
        nodes.add(node);
      }
      Process soak = new ProcessBuilder("node", "--experimental-websocket", "--no-warnings",
          Path.of("src/test/resources/reconnect-soak.mjs").toString(),
          "--nodes", nodes.get(0).httpPort() + "," + nodes.get(1).httpPort(), "--key", ADMIN_KEY,
          "--clients", "120", "--announcements", "160", "--rate", "40", "--drop", "0.3", "--churn-ms", "500")
          .redirectErrorStream(true).start();
      boolean ended = soak.waitFor(180, TimeUnit.SECONDS);
      String report = new String(soak.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!ended) {
        soak.destroyForcibly();
      }

      assertThat(ended).as("soak ended in time; " + report).isTrue();
      assertThat(soak.exitValue()).as(report).isZero();
      assertThat(unhandled).as("exceptions no handler took, on either node").isEmpty();
    } finally {
      for (FoyerApp node : nodes) {
        await(node.stop());
      }
    }
  }
}
