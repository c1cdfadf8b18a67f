package io.foyer.lobby;

import static io.foyer.testing.Api.assertProblem;
import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.foyer.FoyerApp;
import io.foyer.http.Times;
import io.foyer.testing.Api;
import io.foyer.testing.LobbyCalls;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * How one node's lobby lines move, on the LiveState engine a subclass chooses: auto mode opening on a burst and
 * closing once calm, the scheduled opening's shuffled pre-queue, and the line passing places whose tickets were
 * given up. Each is seen as an attendee or organizer sees it: joins answered 200 or 202, places, the serving
 * counter, and which tickets may be exchanged for an admission.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LobbyLinesContract {

  /** Configuration that selects the engine under test. */
  protected abstract Map<String, String> engine();

  private FoyerApp node;
  private Api api;
  private LobbyCalls lobby;

  @BeforeAll
  void startNode() throws Exception {
    Map<String, String> settings = new HashMap<>(engine());
    settings.put("FOYER_LOBBY_TICK_MILLIS", "100");
    // every join of these tests comes from 127.0.0.1
    settings.put("FOYER_LOBBY_JOINS_PER_ADDRESS_PER_MINUTE", "0");
    node = TestNodes.start(settings);
    api = new Api(node.httpPort());
    lobby = new LobbyCalls(api);
  }

  @AfterAll
  void stopNode() throws Exception {
    api.close();
    await(node.stop());
  }

  /**
   * Auto mode with a threshold of 10 arrivals a second: a burst opens the lobby (joins that went ahead get places
   * instead), arrivals between half the threshold and the threshold keep it open (hysteresis: registering still
   * needs an admission), and once they stop it closes after the calm second, letting everyone in again.
   */
  @Test
  void aBurstOfArrivalsOpensTheLobbyWhichStaysOpenUntilArrivalsCalmDown() throws Exception {
    long eventId = lobby.eventWithLobby(new JsonObject().put("mode", "auto").put("admissionRate", 50)
        .put("openAbove", new JsonObject().put("arrivalsPerSecond", 10).put("concurrentVisitors", 0)
            .put("registrationWaitMillis", 0))
        .put("closeBelowFraction", 0.5).put("calmSeconds", 1));

    HttpResponse<Buffer> first = lobby.join(eventId);
    assertThat(first.statusCode()).as("a quiet lobby lets the first arrival in: " + first.bodyAsString())
        .isEqualTo(200);
    assertThat(first.bodyAsJsonObject().getString("admission")).isNotBlank();

    // the burst: about 40 arrivals a second until the lobby opens
    long burstStarted = System.nanoTime();
    int wentAhead = 1;
    HttpResponse<Buffer> joined;
    while ((joined = lobby.join(eventId)).statusCode() == 200) {
      wentAhead++;
      assertThat(Duration.ofNanos(System.nanoTime() - burstStarted)).as("the lobby opens during the burst")
          .isLessThan(Duration.ofSeconds(8));
      Thread.sleep(25);
    }
    assertThat(joined.statusCode()).as(joined.bodyAsString()).isEqualTo(202);
    assertThat(wentAhead).as("joins went ahead until the burst passed the threshold").isGreaterThanOrEqualTo(10);
    JsonObject waiting = joined.bodyAsJsonObject();
    assertThat(waiting.getString("status")).isEqualTo("waiting");
    assertThat(waiting.getLong("place")).isPositive();
    assertThat(lobby.state(eventId).getBoolean("open")).isTrue();

    // about 8 arrivals a second, for longer than the calm period: below the threshold, above half of it. They try
    // to register straight away, so that the line itself stays drained: only the arrivals keep the lobby open
    long slowerUntil = System.nanoTime() + Duration.ofMillis(3300).toNanos();
    while (System.nanoTime() < slowerUntil) {
      Thread.sleep(120);
      assertProblem(lobby.register(eventId, TestServices.unique("hasty") + "@example.org"), 403,
          "admission-required");
    }
    assertThat(lobby.state(eventId).getLong("waiting")).isZero();

    // nobody arrives any more: drained and calm for a second, the lobby closes
    long calmFrom = System.nanoTime();
    await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
        .until(() -> !lobby.line(eventId).getBoolean("open"));
    assertThat(Duration.ofNanos(System.nanoTime() - calmFrom)).as("not before a calm second")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(lobby.state(eventId).getLong("waiting")).isZero();
    HttpResponse<Buffer> after = lobby.join(eventId);
    assertThat(after.statusCode()).as("closed again: " + after.bodyAsString()).isEqualTo(200);
    assertThat(lobby.register(eventId, TestServices.unique("later") + "@example.org").statusCode()).isEqualTo(201);
    assertThat(lobby.exchange(eventId, waiting.getString("ticket")).statusCode()).as("the one who waited was served")
        .isEqualTo(200);
  }

  /**
   * A scheduled opening 3 s ahead: 40 early arrivals wait without a place; at the opening each gets a place of
   * the pre-queue 1..40 at random, once, and the line serves those places in order, then later arrivals.
   */
  @Test
  void earlyArrivalsAreShuffledOnceAtTheOpeningAndThenServedInTheirNewOrder() throws Exception {
    Instant opensAt = Instant.now().plusSeconds(3);
    long eventId = lobby.eventWithLobby(new JsonObject().put("mode", "always").put("admissionRate", 2)
        .put("opensAt", Times.format(opensAt)));

    List<String> tickets = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      JsonObject early = lobby.joinToWait(eventId);
      assertThat(early.getString("status")).isEqualTo("waiting");
      assertThat(early.getValue("place")).as("no place before the opening").isNull();
      assertThat(early.getValue("ahead")).isNull();
      tickets.add(early.getString("ticket"));
    }
    assertThat(Instant.now()).as("the test joined everyone before the opening").isBefore(opensAt);
    assertProblem(lobby.exchange(eventId, tickets.get(0)), 409, "not-your-turn");
    assertThat(lobby.line(eventId).getLong("serving")).as("nobody served before the opening").isZero();

    await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100))
        .until(() -> lobby.renew(eventId, tickets.get(0)).bodyAsJsonObject().getValue("place") != null);
    assertThat(Instant.now()).isAfter(opensAt);
    List<Long> places = placesOf(eventId, tickets);
    assertThat(places).as("the pre-queue's places, each given once")
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
    assertThat(places).as("shuffled, not in arrival order").isNotEqualTo(LongStream.rangeClosed(1, 40).boxed().toList());
    JsonObject late = lobby.joinToWait(eventId);
    assertThat(late.getLong("place")).as("after the opening, first come first served").isEqualTo(41);

    // the line's state is written again every second: the shuffle is not made again
    Thread.sleep(1200);
    assertThat(placesOf(eventId, tickets)).as("shuffled once").isEqualTo(places);
    String firstPlace = tickets.get(places.indexOf(1L));
    String lastPlace = tickets.get(places.indexOf(40L));
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> lobby.exchange(eventId, firstPlace).statusCode() == 200);
    assertProblem(lobby.exchange(eventId, lastPlace), 409, "not-your-turn");
    assertProblem(lobby.exchange(eventId, late.getString("ticket")), 409, "not-your-turn");
  }

  /**
   * Two admissions a second, 200 places taken, and only the holders of places 161..200 keep renewing their tickets
   * (ticketTtlSeconds 6): the line passes the first 128 places, two blocks nobody renewed, in seconds where the
   * rate alone would take a minute, and still waits for those who renewed. The tickets given up are expired.
   */
  @Test
  void theLinePassesPlacesWhoseTicketsWereNotRenewed() throws Exception {
    long eventId = lobby.eventWithLobby(new JsonObject().put("mode", "always").put("admissionRate", 2)
        .put("ticketTtlSeconds", 6));
    await().atMost(Duration.ofSeconds(5)).until(() -> lobby.line(eventId).getBoolean("open"));
    // one waits first, until the line is driven and its driver has counted who waits (once a second)
    List<String> tickets = new ArrayList<>(List.of(lobby.joinToWait(eventId).getString("ticket")));
    await().atMost(Duration.ofSeconds(5)).until(() -> lobby.line(eventId).getLong("serving") >= 1);
    Thread.sleep(1100);

    long started = System.nanoTime();
    for (int i = 2; i <= 200; i++) {
      JsonObject joined = lobby.joinToWait(eventId);
      assertThat(joined.getLong("place")).as("places in arrival order").isEqualTo(i);
      tickets.add(joined.getString("ticket"));
    }
    long servingNow = lobby.line(eventId).getLong("serving");
    double joining = (System.nanoTime() - started) / 1e9;
    // none of them is half a ticket lifetime old yet (on a slow machine they may be: then this shows nothing)
    if (joining < 3) {
      assertThat(servingNow).as("tickets just taken are served at the rate, not passed over")
          .isLessThanOrEqualTo((long) (1 + 2 * joining) + 4);
    }

    long serving = 0;
    long lastRenewal = 0;
    while (serving <= 128) {
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("serving passes 128 long before 64 s at 2 a second (now %d)", serving)
          .isLessThan(Duration.ofSeconds(16));
      if (System.nanoTime() - lastRenewal > Duration.ofSeconds(1).toNanos()) {
        lastRenewal = System.nanoTime();
        for (int place = 161; place <= 200; place++) {
          HttpResponse<Buffer> renewed = lobby.renew(eventId, tickets.get(place - 1));
          assertThat(renewed.statusCode()).as(renewed.bodyAsString()).isEqualTo(200);
          tickets.set(place - 1, renewed.bodyAsJsonObject().getString("ticket"));
        }
      }
      Thread.sleep(150);
      serving = lobby.line(eventId).getLong("serving");
    }

    assertThat(serving).as("those who renewed are still waited for").isLessThan(161);
    JsonObject stillThere = lobby.renew(eventId, tickets.get(160)).bodyAsJsonObject();
    assertThat(stillThere.getString("status")).isEqualTo("waiting");
    assertThat(stillThere.getLong("place")).isEqualTo(161);
    assertProblem(lobby.exchange(eventId, tickets.get(199)), 409, "not-your-turn");
    // a ticket passed over was given up: once its lifetime is out it admits nobody, though its place was passed
    String givenUp = tickets.get(99);
    await().atMost(Duration.ofSeconds(7)).pollInterval(Duration.ofMillis(200))
        .until(() -> lobby.exchange(eventId, givenUp).statusCode() == 410);
    assertProblem(lobby.exchange(eventId, givenUp), 410, "ticket-expired");
    assertProblem(lobby.renew(eventId, givenUp), 410, "ticket-expired");
  }

  private List<Long> placesOf(long eventId, List<String> tickets) throws Exception {
    List<Long> places = new ArrayList<>();
    for (int i = 0; i < tickets.size(); i++) {
      HttpResponse<Buffer> status = lobby.renew(eventId, tickets.get(i));
      assertThat(status.statusCode()).as(status.bodyAsString()).isEqualTo(200);
      places.add(status.bodyAsJsonObject().getLong("place"));
      tickets.set(i, status.bodyAsJsonObject().getString("ticket"));
    }
    return places;
  }
}
