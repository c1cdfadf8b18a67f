package io.foyer.registration;

import static io.foyer.testing.TestNodes.ADMIN_KEY;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.bench.ServerProcess;
import io.foyer.testing.Api;
import io.foyer.testing.Opened;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node is killed (SIGKILL) in the middle of a registration rush and started again on the same database:
 * what it acknowledged is still there as it was told, and attendees left without an answer can simply retry.
 */
class RegistrationCrashTest {

  private static final int CAPACITY = 50;
  /** Keep-alive connections of the rush, each sending its next registration as soon as the last is answered. */
  private static final int CONNECTIONS = 48;
  /** The kill comes after this many acknowledgements: the capacity event's waiting list is well under way. */
  private static final int ACKNOWLEDGED_BEFORE_KILL = 300;
  /** Ends the rush should the kill never come, so that the test fails rather than hangs. */
  private static final int MAX_ATTEMPTS = 20_000;

  private final Opened opened = new Opened();

  @AfterEach
  void closeAll() throws Exception {
    opened.close();
  }

  @Test
  void acknowledgedRegistrationsSurviveAKilledNodeAndRetriesNeverCountAnAttendeeTwice() throws Exception {
    String database = TestServices.freshPgUrl();
    Map<String, String> onDatabase = Map.of("FOYER_PG_URL", database);
    ServerProcess doomed = opened.track(TestNodes.startProcess(onDatabase));
    Api before = opened.track(new Api(doomed.port()));
    long open = before.createEvent(new JsonObject());
    long limited = before.createEvent(new JsonObject().put("capacity", CAPACITY));
    Map<Long, Integer> capacities = new HashMap<>();
    capacities.put(open, null);
    capacities.put(limited, CAPACITY);

    Rush rush = new Rush(before.client(), List.of(open, limited));
    Future<Void> running = rush.run(CONNECTIONS);
    running.onComplete(ended -> rush.enough.completeExceptionally(new AssertionError(
        "the rush ended before the kill, after " + rush.acknowledged.size() + " acknowledgements; refused: "
            + rush.refused.values())));
    rush.enough.get(30, TimeUnit.SECONDS);
    doomed.kill();
    await(running);

    assertThat(rush.refused).as("answers other than an acknowledgement").isEmpty();
    assertThat(rush.unknown).as("requests left without an answer by the kill").isNotEmpty();
    assertThat(rush.acknowledgedFor(limited)).as("acknowledged for the capacity event").hasSizeGreaterThan(CAPACITY);

    ServerProcess restarted = opened.track(TestNodes.startProcess(onDatabase));
    Api api = opened.track(new Api(restarted.port()));
    Map<Long, Map<String, JsonObject>> afterCrash = new HashMap<>();
    for (long eventId : capacities.keySet()) {
      Map<String, JsonObject> stored = assertConsistent(api, database, eventId, capacities.get(eventId));
      assertKeptAsAcknowledged(stored, rush.acknowledgedFor(eventId));
      assertThat(stored.keySet()).as("registrations nobody asked for").isSubsetOf(rush.attemptedFor(eventId));
      afterCrash.put(eventId, stored);
    }

    long unknownStored = rush.unknown.stream()
        .filter(a -> afterCrash.get(a.eventId()).containsKey(a.email())).count();
    System.out.printf("killed after %d acknowledged; %d without an answer, of which %d were stored%n",
        rush.acknowledged.size(), rush.unknown.size(), unknownStored);

    retryEveryAttempt(api, rush.attempted(), afterCrash);
    for (long eventId : capacities.keySet()) {
      Map<String, JsonObject> stored = assertConsistent(api, database, eventId, capacities.get(eventId));
      assertThat(stored.keySet()).as("each attendee once, after the retries")
          .containsExactlyInAnyOrderElementsOf(rush.attemptedFor(eventId));
    }
  }

  /** Each acknowledged attendee finds the registration they were told about: same id, status and place. */
  private static void assertKeptAsAcknowledged(Map<String, JsonObject> stored, Map<String, JsonObject> acknowledged) {
    acknowledged.forEach((email, told) -> {
      JsonObject registration = stored.get(email);
      assertThat(registration).as("acknowledged registration of " + email).isNotNull();
      assertThat(registration.getString("id")).as(email).isEqualTo(told.getString("id"));
      assertThat(registration.getString("status")).as(email).isEqualTo(told.getString("status"));
      assertThat(registration.getInteger("waitlistPosition")).as(email)
          .isEqualTo(told.getInteger("waitlistPosition"));
    });
  }

  /** Everyone who tried during the rush, answered or not, sends the same registration again, all at once. */
  private static void retryEveryAttempt(Api api, Set<Attempt> attempted, Map<Long, Map<String, JsonObject>> stored)
      throws Exception {
    List<Attempt> attempts = new ArrayList<>(attempted);
    List<Future<HttpResponse<Buffer>>> retries = attempts.stream().map(attempt -> api.client()
        .post(path(attempt.eventId())).sendJsonObject(Api.attendee(attempt.email()))).toList();
    await(Future.all(retries));
    for (int i = 0; i < attempts.size(); i++) {
      Attempt attempt = attempts.get(i);
      assertRetryAnswer(retries.get(i).result(), stored.get(attempt.eventId()).get(attempt.email()), attempt);
    }
  }

  /**
   * A retry creates what the crash lost and otherwise answers "already registered" with the stored id, never a
   * second registration.
   */
  private static void assertRetryAnswer(HttpResponse<Buffer> answer, JsonObject stored, Attempt attempt) {
    JsonObject body = answer.bodyAsJsonObject();
    if (stored == null) {
      assertThat(answer.statusCode()).as("retry of lost " + attempt + ": " + body).isEqualTo(201);
    } else {
      assertThat(answer.statusCode()).as("retry of stored " + attempt + ": " + body).isEqualTo(200);
      assertThat(body.getBoolean("alreadyRegistered")).as(attempt.toString()).isTrue();
      assertThat(body.getString("id")).as(attempt.toString()).isEqualTo(stored.getString("id"));
      assertThat(body.getString("status")).as(attempt.toString()).isEqualTo(stored.getString("status"));
    }
  }

  /**
   * Checks an event as its organizer sees it (list and stats) and as the database holds it (seat counters
   * against rows): each email once, capacity exact, waiting-list places 1..n. Returns the registrations by email.
   */
  private static Map<String, JsonObject> assertConsistent(Api api, String database, long eventId, Integer capacity)
      throws Exception {
    List<JsonObject> registrations = registrations(api, eventId);
    List<String> emails = registrations.stream().map(r -> r.getString("email")).toList();
    assertThat(emails).as("emails of event " + eventId).doesNotHaveDuplicates();
    long confirmed = registrations.stream().filter(r -> "confirmed".equals(r.getString("status"))).count();
    List<Integer> places = registrations.stream().filter(r -> "waitlisted".equals(r.getString("status")))
        .map(r -> r.getInteger("waitlistPosition")).sorted().toList();
    assertThat(confirmed + places.size()).as("nobody cancelled, so everyone confirmed or waiting")
        .isEqualTo(registrations.size());
    assertThat(confirmed).as("confirmed in event " + eventId)
        .isEqualTo(capacity == null ? registrations.size() : Math.min(capacity, registrations.size()));
    assertThat(places).as("waiting-list places").containsExactlyElementsOf(IntStream.rangeClosed(1, places.size())
        .boxed().toList());

    JsonObject stats = api.get("/api/events/" + eventId + "/stats", ADMIN_KEY).bodyAsJsonObject();
    assertThat(stats.getLong("confirmed")).as("stats " + stats).isEqualTo(confirmed);
    assertThat(stats.getLong("waitlisted")).as("stats " + stats).isEqualTo(places.size());
    assertSeatCountersMatchRows(database, eventId);

    Map<String, JsonObject> byEmail = new HashMap<>();
    registrations.forEach(r -> byEmail.put(r.getString("email"), r));
    return byEmail;
  }

  /** Read-only: the counters registration decisions are made on equal the rows they count. */
  private static void assertSeatCountersMatchRows(String database, long eventId) throws Exception {
    PgConnectOptions options = PgConnectOptions.fromUri(database);
    String jdbc = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    try (Connection connection = DriverManager.getConnection(jdbc, options.getUser(), options.getPassword());
         PreparedStatement query = connection.prepareStatement("""
             SELECT s.confirmed, s.waitlisted,
                    count(r.id) FILTER (WHERE r.status = 'confirmed') AS confirmed_rows,
                    count(r.id) FILTER (WHERE r.status = 'waitlisted') AS waitlisted_rows,
                    count(DISTINCT r.waitlist_seq) AS waitlist_seqs
               FROM event_seats s LEFT JOIN registrations r ON r.event_id = s.event_id
              WHERE s.event_id = ? GROUP BY s.confirmed, s.waitlisted""")) {
      query.setLong(1, eventId);
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).as("seat row of event " + eventId).isTrue();
        assertThat(row.getLong("confirmed")).as("event_seats.confirmed").isEqualTo(row.getLong("confirmed_rows"));
        assertThat(row.getLong("waitlisted")).as("event_seats.waitlisted").isEqualTo(row.getLong("waitlisted_rows"));
        assertThat(row.getLong("waitlist_seqs")).as("distinct waitlist_seq").isEqualTo(row.getLong("waitlisted_rows"));
      }
    }
  }

  /** Every registration of the event, page by page, as the organizer lists them. */
  private static List<JsonObject> registrations(Api api, long eventId) throws Exception {
    List<JsonObject> all = new ArrayList<>();
    int limit = 1000;
    List<JsonObject> page;
    do {
      HttpResponse<Buffer> response = api.get(path(eventId) + "?limit=" + limit + "&offset=" + all.size(), ADMIN_KEY);
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      page = response.bodyAsJsonObject().getJsonArray("registrations").stream().map(JsonObject.class::cast).toList();
      all.addAll(page);
    } while (page.size() == limit);
    return all;
  }

  private static String path(long eventId) {
    return "/api/events/" + eventId + "/registrations";
  }

  private record Attempt(long eventId, String email) {}

  /**
   * Distinct attendees registering over a fixed number of connections, alternating between the events, until
   * the node stops answering. Sorts every attempt into acknowledged (2xx with an id), refused (any other
   * answer) or unknown (no answer).
   */
  private static final class Rush {

    private final WebClient client;
    private final List<Long> events;
    private final AtomicInteger sent = new AtomicInteger();
    private final Map<Attempt, JsonObject> acknowledged = new ConcurrentHashMap<>();
    private final Map<Attempt, String> refused = new ConcurrentHashMap<>();
    private final Set<Attempt> unknown = ConcurrentHashMap.newKeySet();
    /** Completes once {@link #ACKNOWLEDGED_BEFORE_KILL} registrations were acknowledged. */
    private final CompletableFuture<Void> enough = new CompletableFuture<>();

    Rush(WebClient client, List<Long> events) {
      this.client = client;
      this.events = events;
    }

    /** Completes when every connection has met a request the node did not answer. */
    Future<Void> run(int connections) {
      List<Future<Void>> lanes = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        lanes.add(next());
      }
      return Future.all(lanes).mapEmpty();
    }

    private Future<Void> next() {
      int n = sent.getAndIncrement();
      if (n >= MAX_ATTEMPTS) {
        return Future.succeededFuture();
      }
      Attempt attempt = new Attempt(events.get(n % events.size()), "rush" + n + "@example.org");
      return client.post(path(attempt.eventId())).idleTimeout(10_000)
          .sendJsonObject(Api.attendee(attempt.email()))
          .transform(answer -> {
            if (answer.failed()) {
              unknown.add(attempt);
              return Future.succeededFuture();
            }
            sort(attempt, answer.result());
            return next();
          });
    }

    private void sort(Attempt attempt, HttpResponse<Buffer> answer) {
      JsonObject body = answer.statusCode() / 100 == 2 ? answer.bodyAsJsonObject() : null;
      if (body == null || body.getString("id") == null) {
        refused.put(attempt, answer.statusCode() + " " + answer.bodyAsString());
        return;
      }
      acknowledged.put(attempt, body);
      if (acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL) {
        enough.complete(null);
      }
    }

    Set<Attempt> attempted() {
      Set<Attempt> all = new HashSet<>(acknowledged.keySet());
      all.addAll(refused.keySet());
      all.addAll(unknown);
      return all;
    }

    Set<String> attemptedFor(long eventId) {
      Set<String> emails = new HashSet<>();
      attempted().stream().filter(a -> a.eventId() == eventId).forEach(a -> emails.add(a.email()));
      return emails;
    }

    Map<String, JsonObject> acknowledgedFor(long eventId) {
      Map<String, JsonObject> byEmail = new HashMap<>();
      acknowledged.forEach((attempt, body) -> {
        if (attempt.eventId() == eventId) {
          byEmail.put(attempt.email(), body);
        }
      });
      return byEmail;
    }
  }
}
