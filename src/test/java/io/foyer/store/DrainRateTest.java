package io.foyer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The drain rate on a clock of our own: what counts, what does not, and how a stall shows. */
class DrainRateTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final DrainRate rate = new DrainRate();

  @Test
  void withNothingMeasuredThereIsNoRateAndNoExpectedWait() {
    assertThat(rate.rowsPerSecond(0)).isZero();
    assertThat(rate.expectedWaitMillis(1_000_000, 0)).isZero();
  }

  @Test
  void batchesThatLeftNoBacklogSayNothingAboutTheDrainRate() {
    rate.batchStarted(0);
    rate.batchEnded(10 * MS, 0, false);

    assertThat(rate.rowsPerSecond(20 * MS)).isZero();
  }

  @Test
  void aBacklogDrainedGivesRowsPerSecondOfBusyTimeAndTheWaitOfAQueue() {
    rate.batchStarted(0);
    rate.batchEnded(10 * MS, 100, false);

    assertThat(rate.rowsPerSecond(10 * MS)).isCloseTo(10_000, within(0.1));
    assertThat(rate.expectedWaitMillis(5000, 10 * MS)).isEqualTo(500);
  }

  @Test
  void concurrentBatchesAreNotCountedTwice() {
    rate.batchStarted(0);
    rate.batchStarted(1 * MS);
    rate.batchEnded(10 * MS, 100, true);
    rate.batchEnded(20 * MS, 100, false);

    assertThat(rate.rowsPerSecond(20 * MS)).as("200 rows in 20 ms").isCloseTo(10_000, within(0.1));
  }

  @Test
  void idleTimeCountsNeitherAgainstTheRateNorInTheNextBatch() {
    rate.batchStarted(0);
    rate.batchEnded(10 * MS, 100, false);
    long anHourLater = TimeUnit.HOURS.toNanos(1);

    assertThat(rate.rowsPerSecond(anHourLater)).isCloseTo(10_000, within(0.1));
    rate.batchStarted(anHourLater);
    rate.batchEnded(anHourLater + 10 * MS, 100, false);
    assertThat(rate.rowsPerSecond(anHourLater + 10 * MS)).isCloseTo(10_000, within(0.1));
  }

  @Test
  void aBatchThatIsOverdueLowersTheRateUntilItCommits() {
    long now = 0;
    for (int i = 0; i < 20; i++) {
      rate.batchStarted(now);
      now += 10 * MS;
      rate.batchEnded(now, 100, false);
    }
    rate.batchStarted(now);

    assertThat(rate.rowsPerSecond(now + 5 * MS)).as("a batch in flight, not yet overdue")
        .isCloseTo(10_000, within(1.0));
    assertThat(rate.rowsPerSecond(now + 1000 * MS)).as("stalled for a second").isLessThan(1000);
    rate.batchEnded(now + 1000 * MS, 100, false);
    assertThat(rate.rowsPerSecond(now + 1000 * MS)).as("the slow batch is now part of the average")
        .isLessThan(1000);
  }

  @Test
  void theAverageFollowsTheRecentBatches() {
    long now = 0;
    for (int i = 0; i < 50; i++) {
      rate.batchStarted(now);
      now += 10 * MS;
      rate.batchEnded(now, 100, false);
    }
    for (int i = 0; i < 60; i++) {
      rate.batchStarted(now);
      now += 100 * MS;
      rate.batchEnded(now, 100, false);
    }

    assertThat(rate.rowsPerSecond(now)).as("ten times slower for six seconds").isCloseTo(1000, within(10.0));
  }

  @Test
  void oneOddBatchAmongManySmallOnesBarelyMovesTheRate() {
    long now = 0;
    for (int i = 0; i < 300; i++) {
      rate.batchStarted(now);
      now += 2 * MS;
      rate.batchEnded(now, 10, false);
    }
    rate.batchStarted(now);
    now += 1 * MS;
    rate.batchEnded(now, 10, false);

    assertThat(rate.rowsPerSecond(now)).as("one batch twice as fast, after 600 ms of batches of 10 in 2 ms")
        .isCloseTo(5000, withinPercentage(2));
  }
}
