package io.foyer.interactions;

import static io.foyer.testing.TestNodes.await;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.foyer.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A real node for each test, on the LiveState engine a subclass chooses, with an HTTP client and the sockets a
 * test opens, all closed after it: the ground of the polls and quizzes contracts. Its LiveState keys of polls and
 * quizzes expire after {@link #LIVE_STATE_TTL}, so that every test also shows results do not depend on them.
 */
abstract class NodeContract {

  /** interactions.liveStateTtlSeconds of the node: short enough to wait out in a test. */
  static final Duration LIVE_STATE_TTL = Duration.ofSeconds(2);

  /** Configuration that selects the engine under test. */
  protected abstract Map<String, String> engine();

  final List<AutoCloseable> clients = new ArrayList<>();
  FoyerApp node;
  Api api;
  PollFixtures polls;

  @BeforeEach
  void startNode() throws Exception {
    Map<String, String> settings = new HashMap<>(engine());
    settings.put("FOYER_INTERACTIONS_LIVE_STATE_TTL_SECONDS", Long.toString(LIVE_STATE_TTL.toSeconds()));
    node = TestNodes.start(settings);
    api = new Api(node.httpPort());
    polls = new PollFixtures(api);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    api.close();
    await(node.stop());
  }

  /** A socket of the node, authenticated with the token (welcome received), closed after the test. */
  WsClient socket(String token) throws Exception {
    WsClient ws = WsClient.connect(node.httpPort(), token);
    clients.add(ws);
    ws.next("welcome");
    return ws;
  }
}
