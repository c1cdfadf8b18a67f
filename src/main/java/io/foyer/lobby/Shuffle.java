package io.foyer.lobby;

/**
 * A random permutation of 0..size-1 chosen by a key, computed rather than stored: the pre-queue's shuffle, which
 * gives each of a million early arrivals a new place without keeping a list of them. A four-round Feistel network
 * over the smallest even power of two that holds size, walking the cycle back into range (each step stays a
 * permutation, so the walk ends, and in few steps: the domain is less than four times size).
 */
record Shuffle(long size, long key) {

  private static final int ROUNDS = 4;

  Shuffle {
    if (size < 1) {
      throw new IllegalArgumentException("a shuffle of " + size + " places");
    }
  }

  /** The new place (0-based) of the given one. */
  long placeOf(long index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("place " + index + " outside 0.." + (size - 1));
    }
    int halfBits = Math.max(1, (64 - Long.numberOfLeadingZeros(size - 1) + 1) / 2);
    long mask = (1L << halfBits) - 1;
    long x = index;
    do {
      x = encrypt(x, halfBits, mask);
    } while (x >= size);
    return x;
  }

  private long encrypt(long x, int halfBits, long mask) {
    long left = x >>> halfBits;
    long right = x & mask;
    for (int round = 0; round < ROUNDS; round++) {
      long next = left ^ (mix(right + key * 0x9E3779B97F4A7C15L + round) & mask);
      left = right;
      right = next;
    }
    return (left << halfBits) | right;
  }

  /** SplitMix64's finalizer: every input bit moves every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
