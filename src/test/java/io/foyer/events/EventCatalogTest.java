package io.foyer.events;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.foyer.audit.Actor;
import io.foyer.problem.ProblemException;
import io.foyer.store.Migrations;
import io.foyer.testing.TestServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event cache on the registration hot path, against a real database: a burst that misses an event reads it
 * once, and an entry past its time limit is reloaded in the background instead of by every request.
 */
class EventCatalogTest {

  private static final long TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

  private Vertx vertx;
  private Pool pool;
  private EventRepository repository;
  private final AtomicInteger reads = new AtomicInteger();
  private EventCatalog catalog;

  @BeforeEach
  void start() {
    String url = TestServices.pgUrl();
    Migrations.migrate(url);
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(PgConnectOptions.fromUri(url))
        .using(vertx).build();
    repository = new EventRepository(pool);
    catalog = new EventCatalog(vertx, pool, id -> {
      reads.incrementAndGet();
      return repository.get(id);
    }, TTL_NANOS);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void aBurstOfRequestsForAnEventNotYetLoadedReadsItOnceAndEachContinuesOnItsOwnEventLoop() throws Exception {
    long eventId = createEvent("Launch");
    List<Context> loops = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext());
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Context loop = loops.get(i % 2);
      CompletableFuture<String> answer = new CompletableFuture<>();
      loop.runOnContext(v -> catalog.get(eventId).onComplete(loaded -> {
        if (Vertx.currentContext() != loop) {
          answer.completeExceptionally(new AssertionError("continued on another context"));
        } else if (loaded.failed()) {
          answer.completeExceptionally(loaded.cause());
        } else {
          answer.complete(loaded.result().definition().title());
        }
      }));
      answers.add(answer);
    }

    for (CompletableFuture<String> answer : answers) {
      assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("Launch");
    }
    assertThat(reads).as("database reads for 200 requests").hasValue(1);
  }

  @Test
  void anEntryPastItsTimeLimitIsServedWhileOneReloadFetchesTheChange() throws Exception {
    long eventId = cachedThenRetitled();
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(TTL_NANOS) + 50);

    List<String> titles = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      titles.add(onLoop(eventId));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!onLoop(eventId).equals("After") && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }

    assertThat(titles.get(0)).as("the first request past the limit does not wait for a read").isEqualTo("Before");
    assertThat(onLoop(eventId)).isEqualTo("After");
    assertThat(reads).as("the first load and one reload").hasValue(2);
  }

  @Test
  void anEntryTwiceItsTimeLimitOldIsNotServedAnyMore() throws Exception {
    long eventId = cachedThenRetitled();
    Thread.sleep(2 * TimeUnit.NANOSECONDS.toMillis(TTL_NANOS) + 50);

    assertThat(onLoop(eventId)).isEqualTo("After");
  }

  @Test
  void aChangeNoticeDropsTheEntryAndTheNextRequestReadsTheChange() throws Exception {
    long eventId = cachedThenRetitled();

    catalog.evict(eventId);

    assertThat(onLoop(eventId)).isEqualTo("After");
    assertThat(reads).hasValue(2);
  }

  @Test
  void anEventThatDoesNotExistIsNotFoundEveryTime() throws Exception {
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> onLoop(Long.MAX_VALUE)).hasCauseInstanceOf(ProblemException.class)
          .cause().hasMessageContaining("no event");
    }
    assertThat(reads).as("an unknown id is not remembered").hasValue(2);
  }

  /** An event titled "Before" in the cache, retitled "After" in the database behind the cache's back. */
  private long cachedThenRetitled() throws Exception {
    long eventId = createEvent("Before");
    assertThat(onLoop(eventId)).isEqualTo("Before");
    await(pool.preparedQuery("UPDATE events SET title = 'After' WHERE id = $1").execute(Tuple.of(eventId)));
    return eventId;
  }

  private String onLoop(long eventId) throws Exception {
    CompletableFuture<String> title = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> catalog.get(eventId)
        .onSuccess(event -> title.complete(event.definition().title())).onFailure(title::completeExceptionally));
    return title.get(10, TimeUnit.SECONDS);
  }

  private long createEvent(String title) throws Exception {
    Future<Event> created = repository.create(EventDefinition.fromJson(new JsonObject().put("title", title)
        .put("startsAt", "2030-01-01T09:00:00Z").put("endsAt", "2030-01-01T18:00:00Z").put("timeZone", "UTC")
        .put("defaultLanguage", "en")), new Actor("test", "127.0.0.1"));
    return await(created).id();
  }
}
