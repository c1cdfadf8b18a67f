package io.foyer.registration;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Capacity is exact under concurrency, across nodes, and an overloaded node refuses instead of dropping. */
class LastSeatsTest {

  private final List<FoyerApp> nodes = new ArrayList<>();
  private final List<Api> clients = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Api client : clients) {
      client.close();
    }
    for (FoyerApp node : nodes) {
      await(node.stop());
    }
  }

  @Test
  void manyConcurrentRegistrationsOnTwoNodesTakeTheLastSeatsExactlyOnce() throws Exception {
    Api first = client(start(Map.of()));
    Api second = client(start(Map.of()));
    long eventId = first.createEvent(new JsonObject().put("capacity", 25));
    int attendees = 400;

    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    for (int i = 0; i < attendees; i++) {
      Api via = i % 2 == 0 ? first : second;
      responses.add(register(via, eventId, "rush" + i));
    }
    await(Future.all(responses));

    int confirmed = 0;
    Set<Integer> positions = new HashSet<>();
    for (Future<HttpResponse<Buffer>> response : responses) {
      HttpResponse<Buffer> answer = response.result();
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(201);
      JsonObject registration = answer.bodyAsJsonObject();
      if (registration.getString("status").equals("confirmed")) {
        confirmed++;
      } else {
        positions.add(registration.getInteger("waitlistPosition"));
      }
    }
    assertThat(confirmed).isEqualTo(25);
    assertThat(positions).as("each waiting attendee has their own place").hasSize(attendees - 25);
    Row stored = await(nodes.get(0).store().pool().preparedQuery(
        "SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed, count(*) AS total FROM registrations "
            + "WHERE event_id = $1").execute(Tuple.of(eventId))).iterator().next();
    assertThat(stored.getLong("confirmed")).isEqualTo(25);
    assertThat(stored.getLong("total")).isEqualTo(attendees);
  }

  @Test
  void aFullWriteQueueAnswers503WithRetryAfterAndEveryAcceptedRegistrationIsStored() throws Exception {
    // one batch of 5 in flight and 5 more queued is all this node accepts at once; batches start only when full
    // (a shorter linger lets a batch start with fewer rows on a busy machine, and then fewer are accepted)
    Api api = client(start(Map.of("FOYER_WRITER_MAX_QUEUED_ROWS", "5", "FOYER_WRITER_MAX_BATCH_ROWS", "5",
        "FOYER_WRITER_MAX_CONCURRENT_BATCHES", "1", "FOYER_WRITER_LINGER_MILLIS", "10000")));
    long eventId = api.createEvent(new JsonObject());
    api.get("/api/events/" + eventId, null);
    // hold the event's seat row, as a slow database would: the first batch waits, the queue behind it fills
    SqlConnection blocker = await(nodes.get(0).store().pool().getConnection());
    Transaction held = await(blocker.begin());
    await(blocker.preparedQuery("SELECT * FROM event_seats WHERE event_id = $1 FOR UPDATE").execute(Tuple.of(eventId)));

    List<Future<HttpResponse<Buffer>>> responses = new ArrayList<>();
    try {
      for (int i = 0; i < 30; i++) {
        responses.add(register(api, eventId, "burst" + i));
      }
      Awaitility.await().atMost(Duration.ofSeconds(20))
          .until(() -> responses.stream().filter(Future::isComplete).count() == 20);
    } finally {
      // released whatever happened: a lock left held would stall every later test on this database
      await(held.commit());
      await(blocker.close());
    }
    await(Future.all(responses));

    List<HttpResponse<Buffer>> refused = responses.stream().map(Future::result).filter(r -> r.statusCode() == 503)
        .toList();
    long accepted = responses.stream().filter(r -> r.result().statusCode() == 201).count();
    assertThat(accepted).isEqualTo(10);
    assertThat(refused).hasSize(20).allSatisfy(r -> {
      assertThat(r.getHeader("Retry-After")).isEqualTo("1");
      assertThat(r.bodyAsJsonObject().getString("type")).isEqualTo("urn:foyer:problem:overloaded");
    });
    long stored = await(nodes.get(0).store().pool().preparedQuery(
        "SELECT count(*) FROM registrations WHERE event_id = $1").execute(Tuple.of(eventId))).iterator().next()
        .getLong(0);
    assertThat(stored).isEqualTo(accepted);
  }

  @Test
  void aQueueThatWouldWaitTooLongAnswers503AtOnceWithTheExpectedWaitAsRetryAfter() throws Exception {
    // batches of one, one at a time: once the database stalls, a few queued registrations are a long wait
    Api api = client(start(Map.of("FOYER_WRITER_MAX_BATCH_ROWS", "1", "FOYER_WRITER_MAX_CONCURRENT_BATCHES", "1",
        "FOYER_WRITER_LINGER_MILLIS", "0", "FOYER_WRITER_MAX_EXPECTED_WAIT_MILLIS", "250")));
    long eventId = api.createEvent(new JsonObject());
    // a burst the writer works off at its own pace (and may already refuse some of): it measures its drain rate
    List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      burst.add(register(api, eventId, "warm" + i));
    }
    await(Future.all(burst));
    SqlConnection blocker = await(nodes.get(0).store().pool().getConnection());
    Transaction held = await(blocker.begin());
    await(blocker.preparedQuery("SELECT * FROM event_seats WHERE event_id = $1 FOR UPDATE")
        .execute(Tuple.of(eventId)));

    // registrations keep coming while the database stalls: those accepted wait, until one is refused
    List<Future<HttpResponse<Buffer>>> stalled = new CopyOnWriteArrayList<>();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
        stalled.add(register(api, eventId, "stalled" + stalled.size()));
        return stalled.stream().anyMatch(Future::isComplete);
      });
      // while the writer refuses, the HTTP edge refuses by itself: even a request it has not read yet
      Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
          await(api.client().post("/api/events/" + eventId + "/registrations")
              .sendJsonObject(new JsonObject().put("name", "no email, no consent"))).statusCode() == 503);
    } finally {
      await(held.commit());
      await(blocker.close());
    }
    await(Future.all(stalled));
    // once the queue has drained, the edge admits again
    List<HttpResponse<Buffer>> after = new CopyOnWriteArrayList<>();
    Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
      after.add(await(register(api, eventId, "after" + after.size())));
      return after.get(after.size() - 1).statusCode() == 201;
    });

    List<HttpResponse<Buffer>> refused = stalled.stream().map(Future::result).filter(r -> r.statusCode() == 503)
        .toList();
    long accepted = stalled.stream().filter(r -> r.result().statusCode() == 201).count();
    assertThat(refused).isNotEmpty().allSatisfy(r -> {
      assertThat(r.bodyAsJsonObject().getString("type")).isEqualTo("urn:foyer:problem:overloaded");
      assertThat(Integer.parseInt(r.getHeader("Retry-After"))).isPositive();
    });
    assertThat(accepted).as("registrations accepted while stalled").isPositive();
    assertThat(accepted + refused.size()).isEqualTo(stalled.size());
    long stored = await(nodes.get(0).store().pool().preparedQuery(
        "SELECT count(*) FROM registrations WHERE event_id = $1").execute(Tuple.of(eventId))).iterator().next()
        .getLong(0);
    assertThat(stored).isEqualTo(burst.stream().filter(r -> r.result().statusCode() == 201).count() + accepted
        + after.stream().filter(r -> r.statusCode() == 201).count());
  }

  private static Future<HttpResponse<Buffer>> register(Api api, long eventId, String name) {
    return api.client().post("/api/events/" + eventId + "/registrations")
        .sendJsonObject(Api.attendee(name + "@example.org"));
  }

  private FoyerApp start(Map<String, String> overrides) throws Exception {
    FoyerApp node = TestNodes.start(overrides);
    nodes.add(node);
    return node;
  }

  private Api client(FoyerApp node) {
    Api api = new Api(node.httpPort());
    clients.add(api);
    return api;
  }
}
