package io.foyer.lobby;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** The pre-queue's shuffle: every early arrival gets exactly one place, and the order is the key's, not arrival's. */
class ShuffleTest {

  @Test
  void everyPlaceIsGivenExactlyOnce() {
    for (long size : new long[] {1, 2, 3, 7, 64, 100, 1_000, 4_097, 50_000}) {
      Shuffle shuffle = new Shuffle(size, size * 31 + 7);
      BitSet taken = new BitSet();
      for (long i = 0; i < size; i++) {
        long place = shuffle.placeOf(i);
        assertThat(place).isBetween(0L, size - 1);
        assertThat(taken.get((int) place)).as("place %d given twice (size %d)", place, size).isFalse();
        taken.set((int) place);
      }
      assertThat(taken.cardinality()).isEqualTo((int) size);
    }
  }

  @Test
  void theOrderDependsOnTheKeyAndKeepsLittleOfTheArrivalOrder() {
    int size = 1_000;
    Shuffle one = new Shuffle(size, 1);
    Shuffle other = new Shuffle(size, 2);
    int samePlace = 0;
    int keptInFirstHalf = 0;
    for (long i = 0; i < size; i++) {
      samePlace += one.placeOf(i) == other.placeOf(i) ? 1 : 0;
      keptInFirstHalf += i < size / 2 && one.placeOf(i) < size / 2 ? 1 : 0;
    }
    assertThat(samePlace).as("places two keys agree on").isLessThan(20);
    // arrival order kept would put all 500 early arrivals first; a fair shuffle about half of them
    assertThat(keptInFirstHalf).isBetween(200, 300);
  }

  @Test
  void aPlaceOutsideTheQueueIsAnError() {
    assertThatThrownBy(() -> new Shuffle(10, 1).placeOf(10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Shuffle(0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
