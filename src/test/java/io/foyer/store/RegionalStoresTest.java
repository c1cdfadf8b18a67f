package io.foyer.store;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.foyer.audit.Actor;
import io.foyer.config.ConfigLoader;
import io.foyer.config.FoyerConfig;
import io.foyer.events.Event;
import io.foyer.events.EventDefinition;
import io.foyer.events.EventRepository;
import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.testing.Api;
import io.foyer.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Where an event's rows are, with two regions' databases opened as a node opens them. */
class RegionalStoresTest {

  private static Vertx vertx;
  private static FoyerConfig config;
  private static Store own;
  private static RegionalStores stores;

  @BeforeAll
  static void open() throws Exception {
    vertx = Vertx.vertx();
    config = ConfigLoader.load(null, Map.of("FOYER_NODE_REGION", "eu-west",
        "FOYER_PG_URL", TestServices.freshPgUrl(), "FOYER_PG_POOL_SIZE", "2",
        "FOYER_REGIONS_US_EAST_PG_URL", TestServices.freshPgUrl()));
    own = await(Store.open(vertx, config.pg()));
    stores = await(RegionalStores.open(vertx, config, own));
  }

  @AfterAll
  static void close() throws Exception {
    await(stores.close(vertx).eventually(() -> own.close(vertx)).eventually(vertx::close));
  }

  @Test
  void anotherNodeFindsAnEventInItsHomeRegionAndKeepsOnlyEventsThatExist() throws Exception {
    Event created = await(new EventRepository(stores).create(EventDefinition.fromJson(Api.event(new JsonObject())),
        "us-east", new Actor("test", "127.0.0.1")));
    // a second node of the deployment: the same databases, nothing known yet
    RegionalStores otherNode = await(RegionalStores.open(vertx, config, own));
    try {
      List<Future<RegionalStores.Home>> asked = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        asked.add(otherNode.homeOf(created.id()));
      }
      for (Future<RegionalStores.Home> home : asked) {
        assertThat(await(home).region()).isEqualTo("us-east");
      }
      for (long madeUp = 1; madeUp <= 50; madeUp++) {
        long id = created.id() + madeUp;
        assertThatThrownBy(() -> await(otherNode.homeOf(id))).hasCauseInstanceOf(ProblemException.class)
            .cause().satisfies(e -> assertThat(((ProblemException) e).type()).isEqualTo(ProblemType.NOT_FOUND));
      }

      assertThat(otherNode.homesKept()).as("the one event found, not the made-up ids").isEqualTo(1);
    } finally {
      await(otherNode.close(vertx));
    }
  }

  @Test
  void idsAllocatedAcrossRegionsAreIncreasingAboveAnySequenceAndExactInJavaScript() throws Exception {
    long previous = 0;
    for (int i = 0; i < 200; i++) {
      long id = await(stores.newId("events"));
      assertThat(id).isGreaterThan(previous).isGreaterThan(1L << 40).isLessThan(1L << 53);
      previous = id;
    }
  }

  @Test
  void withoutRegionsThereIsOneDatabaseAndNoLookUp() throws Exception {
    RegionalStores single = RegionalStores.single("local", own.pool());

    assertThat(await(single.homeOf(123_456_789L)).pool()).isSameAs(own.pool());
    assertThat(await(single.newId("events"))).as("the table's sequence numbers rows, as always").isNull();
  }
}
