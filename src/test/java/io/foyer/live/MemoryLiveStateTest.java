package io.foyer.live;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.foyer.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryLiveStateTest extends LiveStateContract {

  @Override
  protected Future<? extends LiveState> newEngine(Vertx vertx) {
    return Future.succeededFuture(new MemoryLiveState(vertx));
  }

  @Test
  void namesItselfMemory() {
    assertThat(live.engineName()).isEqualTo("memory");
  }

  @Test
  void sweeperDropsExpiredKeysNobodyReadsAgain() {
    MemoryLiveState memory = (MemoryLiveState) live;
    for (int i = 0; i < 20; i++) {
      join(memory.setIfAbsent(TestServices.unique("value"), "v", Duration.ofMillis(100)));
      join(memory.incrementWithExpiry(TestServices.unique("rate"), 1, Duration.ofMillis(100)));
      join(memory.hashIncrement(TestServices.unique("tally"), "f", 1, Duration.ofMillis(100)));
      join(memory.sortedSetPut(TestServices.unique("board"), Map.of("m", 1.0), Duration.ofMillis(100)));
      String expiring = TestServices.unique("expiring");
      join(memory.hashIncrement(expiring, "f", 1));
      join(memory.expire(expiring, Duration.ofMillis(100)));
    }
    join(memory.increment(TestServices.unique("counter"), 1));

    await().atMost(5, SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> memory.size() == 1);
  }
}
