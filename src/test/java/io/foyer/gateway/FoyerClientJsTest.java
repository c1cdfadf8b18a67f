package io.foyer.gateway;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.NodeJs;
import io.foyer.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * webroot/foyer-client.js, run by Node's WebSocket (the browser API), against a real node: it resumes after
 * the node drops it and the page sees every message once, in order. Needs Node 20+ on the PATH (skipped
 * where there is none).
 */
class FoyerClientJsTest {

  private final List<JsonObject> seen = new CopyOnWriteArrayList<>();

  @Test
  void theBrowserClientResumesAfterADropAndSeesEveryMessageOnceInOrder() throws Exception {
    NodeJs.require();
    FoyerApp node = TestNodes.start(Map.of("FOYER_GATEWAY_RECONNECT_JITTER_SECONDS", "1"));
    Process script = null;
    try (Api api = new Api(node.httpPort())) {
      long eventId = api.createEvent(new JsonObject());
      String token = api.post("/api/events/" + eventId + "/registrations", null, Api.attendee("js@example.org"))
          .bodyAsJsonObject().getString("token");
      script = new ProcessBuilder("node", "--experimental-websocket", "--no-warnings",
          Path.of("src/test/resources/foyer-client-check.mjs").toAbsolutePath().toString(),
          Path.of("webroot/foyer-client.js").toAbsolutePath().toUri().toString(),
          "ws://127.0.0.1:" + node.httpPort() + "/ws", token, "event:" + eventId, "5")
          .redirectErrorStream(true).start();
      BlockingQueue<JsonObject> lines = lines(script);
      awaitEvent(lines, "subscribed");

      announce(api, eventId, "m1");
      announce(api, eventId, "m2");
      awaitMessage(lines, "m2");
      await(node.drainWebSockets()); // the node drops every socket, as when it shuts down
      announce(api, eventId, "m3");
      announce(api, eventId, "m4");
      awaitEvent(lines, "subscribed"); // back, resumed
      announce(api, eventId, "m5");

      assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
      List<String> bodies = seen.stream().filter(l -> "message".equals(l.getString("event")))
          .map(l -> l.getString("body")).toList();
      assertThat(bodies).containsExactly("m1", "m2", "m3", "m4", "m5");
      assertThat(seen).anyMatch(l -> "close".equals(l.getString("event")) && l.getInteger("code") == 1012);
    } finally {
      if (script != null) {
        script.destroyForcibly();
      }
      await(node.stop());
    }
  }

  /**
   * The page's wait in a lobby: with three places ahead and the line paused, the page says 3 ahead and no wait
   * time; resumed, its turn comes, it exchanges its latest ticket, and the admission registers the attendee.
   */
  @Test
  void aPageWaitsItsTurnInTheLobbyAndRegistersWithItsAdmission() throws Exception {
    NodeJs.require();
    FoyerApp node = TestNodes.start(Map.of("FOYER_LIVE_ENGINE", "memory"));
    Process script = null;
    try (Api api = new Api(node.httpPort())) {
      long eventId = api.createEvent(new JsonObject());
      String lobby = "/api/events/" + eventId + "/lobby";
      assertThat(api.send(HttpMethod.PUT, lobby + "/settings", ADMIN_KEY, new JsonObject()
          .put("mode", "always").put("admissionRate", 2)).statusCode()).isEqualTo(200);
      Awaitility.await().atMost(5, TimeUnit.SECONDS)
          .until(() -> api.get(lobby, null).bodyAsJsonObject().getBoolean("open"));
      api.post(lobby + "/pause", ADMIN_KEY, null);
      for (int i = 0; i < 3; i++) {
        assertThat(api.post(lobby, null, null).statusCode()).isEqualTo(202);
      }
      script = new ProcessBuilder("node", "--experimental-websocket", "--no-warnings",
          Path.of("src/test/resources/foyer-lobby-check.mjs").toAbsolutePath().toString(),
          Path.of("webroot/foyer-client.js").toAbsolutePath().toUri().toString(),
          "http://127.0.0.1:" + node.httpPort(), "ws://127.0.0.1:" + node.httpPort() + "/ws", Long.toString(eventId))
          .redirectErrorStream(true).start();
      BlockingQueue<JsonObject> lines = lines(script);
      awaitLine(lines, l -> "status".equals(l.getString("event")) && Long.valueOf(3).equals(l.getLong("ahead"))
          && Boolean.TRUE.equals(l.getBoolean("paused")) && l.getValue("etaSeconds") == null);

      api.post(lobby + "/resume", ADMIN_KEY, null);
      awaitEvent(lines, "admitted");
      assertThat(script.waitFor(10, TimeUnit.SECONDS)).isTrue();
      String admission = seen.stream().filter(l -> "admitted".equals(l.getString("event"))).findFirst().orElseThrow()
          .getString("admission");
      int registered = await(api.client().post("/api/events/" + eventId + "/registrations")
          .putHeader("Content-Type", "application/json").putHeader("Foyer-Admission", admission)
          .sendBuffer(Buffer.buffer(Api.attendee("lobby-js@example.org").encode())))
          .statusCode();
      assertThat(registered).isEqualTo(201);
      assertThat(seen).filteredOn(l -> "status".equals(l.getString("event")) && l.getValue("ahead") != null)
          .extracting(l -> l.getLong("ahead")).isSortedAccordingTo(Comparator.reverseOrder());
    } finally {
      if (script != null) {
        script.destroyForcibly();
      }
      await(node.stop());
    }
  }

  private BlockingQueue<JsonObject> lines(Process script) {
    BlockingQueue<JsonObject> queue = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(script.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          JsonObject parsed = line.startsWith("{") ? new JsonObject(line) : new JsonObject().put("event", "log")
              .put("text", line);
          seen.add(parsed);
          queue.add(parsed);
        }
      } catch (Exception e) {
        // the script ended
      }
    }, "foyer-client-check-output");
    reader.setDaemon(true);
    reader.start();
    return queue;
  }

  private static void awaitEvent(BlockingQueue<JsonObject> lines, String event) throws InterruptedException {
    awaitLine(lines, l -> event.equals(l.getString("event")));
  }

  private static void awaitMessage(BlockingQueue<JsonObject> lines, String body) throws InterruptedException {
    awaitLine(lines, l -> "message".equals(l.getString("event")) && body.equals(l.getString("body")));
  }

  private static void awaitLine(BlockingQueue<JsonObject> lines, java.util.function.Predicate<JsonObject> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      JsonObject line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && wanted.test(line)) {
        return;
      }
    }
    throw new AssertionError("the client did not get there");
  }

  private static void announce(Api api, long eventId, String body) throws Exception {
    api.post("/api/events/" + eventId + "/announcements", ADMIN_KEY, new JsonObject().put("body", body));
  }
}
