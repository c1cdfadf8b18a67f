package io.foyer.live;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/** Single-node {@link LiveState} held in this JVM's memory, with the semantics of {@link RedisLiveState}. */
public final class MemoryLiveState implements LiveState {

  private static final long SWEEP_INTERVAL_MILLIS = 1_000;

  /** Redis orders equal scores by member bytes; UTF-8 byte order is code point order, not UTF-16 order. */
  private static final Comparator<String> REDIS_MEMBER_ORDER = MemoryLiveState::compareCodePoints;

  /** ZREVRANGE order: score descending, then member descending. */
  private static final Comparator<ScoredMember> DESCENDING = Comparator.comparingDouble(ScoredMember::score)
      .thenComparing(ScoredMember::member, REDIS_MEMBER_ORDER).reversed();

  /**
   * One key of any kind. Counters and values are immutable and replaced whole; the other slots are mutable and
   * only touched inside {@link ConcurrentHashMap#compute} and its kin, which lock the key's bin, so they need no
   * locks of their own.
   */
  private sealed interface Slot permits Counter, Value, Collection, Topic {
    default boolean expired(long nowNanos) {
      return false;
    }
  }

  /** deadlineNanos is on the System.nanoTime() scale so that wall-clock jumps do not move TTLs. */
  private record Counter(long value, boolean expires, long deadlineNanos) implements Slot {
    @Override
    public boolean expired(long nowNanos) {
      return expires && nowNanos - deadlineNanos >= 0;
    }
  }

  private record Value(String text, boolean expires, long deadlineNanos) implements Slot {
    @Override
    public boolean expired(long nowNanos) {
      return expires && nowNanos - deadlineNanos >= 0;
    }
  }

  /**
   * A hash or sorted set, which may be given a TTL. The deadline is written under the key's lock and volatile,
   * since the sweeper reads it without that lock; a slot once expired is never revived (writes replace it).
   */
  private abstract static sealed class Collection implements Slot permits HashCounters, SortedSet {
    private volatile boolean expires;
    private volatile long deadlineNanos;

    void expireAt(long deadline) {
      deadlineNanos = deadline;
      expires = true;
    }

    @Override
    public boolean expired(long nowNanos) {
      return expires && nowNanos - deadlineNanos >= 0;
    }
  }

  private static final class HashCounters extends Collection {
    final Map<String, Long> fields = new HashMap<>();
  }

  private static final class SortedSet extends Collection {
    final Map<String, Double> scores = new HashMap<>();
    final TreeSet<ScoredMember> ordered = new TreeSet<>(DESCENDING);
  }

  private static final class Topic implements Slot {
    final ArrayDeque<HistoryEntry> entries = new ArrayDeque<>();
    // never reset by trimming: a resuming client must never see a sequence number twice
    long sequence;
    // the age limit of the latest append, so the sweeper can trim topics nobody writes to any more
    long maxAgeMillis = Long.MAX_VALUE;

    void trimOlderThan(long cutoffMillis) {
      while (!entries.isEmpty() && entries.peekFirst().timestampMillis() < cutoffMillis) {
        entries.removeFirst();
      }
    }
  }

  private final Vertx vertx;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final long sweepTimer;

  public MemoryLiveState(Vertx vertx) {
    this.vertx = vertx;
    this.sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL_MILLIS, id -> sweep());
  }

  @Override
  public Future<Long> increment(String key, long delta) {
    return attempt(() -> addToCounter(key, delta, false, 0));
  }

  @Override
  public Future<Long> incrementWithExpiry(String key, long delta, Duration ttl) {
    return attempt(() -> addToCounter(key, delta, true, ttl.toNanos()));
  }

  @Override
  public Future<Long> counter(String key) {
    return attempt(() -> {
      Slot slot = live(key);
      if (slot == null) {
        return 0L;
      }
      if (slot instanceof Counter counter) {
        return counter.value();
      }
      if (slot instanceof Value value) {
        return parseCounter(key, value.text());
      }
      throw wrongType(key, slot);
    });
  }

  @Override
  public Future<Long> hashIncrement(String key, String field, long delta) {
    return attempt(() -> addToHash(key, field, delta, null));
  }

  @Override
  public Future<Long> hashIncrement(String key, String field, long delta, Duration ttl) {
    return attempt(() -> addToHash(key, field, delta, ttl));
  }

  @Override
  public Future<Void> hashPut(String key, String field, long value) {
    return attempt(() -> {
      slots.compute(key, (k, slot) -> {
        HashCounters hash = isAbsent(slot) ? new HashCounters() : expect(HashCounters.class, k, slot);
        hash.fields.put(field, value);
        return hash;
      });
      return null;
    });
  }

  @Override
  public Future<Void> hashRemove(String key, String field) {
    return attempt(() -> {
      slots.compute(key, (k, slot) -> {
        if (isAbsent(slot)) {
          // an expired slot of any kind goes too: Redis would no longer hold it
          return null;
        }
        HashCounters hash = expect(HashCounters.class, k, slot);
        hash.fields.remove(field);
        // Redis deletes a hash with its last field, so the key is free again for any kind
        return hash.fields.isEmpty() ? null : hash;
      });
      return null;
    });
  }

  @Override
  public Future<Void> hashReplace(String key, Map<String, Long> fields, Duration ttl) {
    return attempt(() -> {
      long deadline = System.nanoTime() + ttl.toNanos();
      slots.compute(key, (k, slot) -> {
        if (fields.isEmpty()) {
          return null;
        }
        HashCounters hash = new HashCounters();
        hash.fields.putAll(fields);
        hash.expireAt(deadline);
        return hash;
      });
      return null;
    });
  }

  @Override
  public Future<Map<String, Long>> hashCounters(String key) {
    return attempt(() -> read(key, HashCounters.class, hash -> Map.copyOf(hash.fields), Map.of()));
  }

  @Override
  public Future<Double> sortedSetIncrement(String key, String member, double delta) {
    return attempt(() -> {
      double[] result = new double[1];
      slots.compute(key, (k, slot) -> {
        SortedSet set = isAbsent(slot) ? new SortedSet() : expect(SortedSet.class, k, slot);
        Double old = set.scores.get(member);
        // + 0.0 folds -0.0 into 0.0: Redis treats them as one score, Double.compare does not
        double score = (old == null ? 0.0 : old) + delta + 0.0;
        if (Double.isNaN(score)) {
          throw new IllegalArgumentException("resulting score is not a number (NaN)");
        }
        if (old != null) {
          set.ordered.remove(new ScoredMember(member, old));
        }
        set.scores.put(member, score);
        set.ordered.add(new ScoredMember(member, score));
        result[0] = score;
        return set;
      });
      return result[0];
    });
  }

  @Override
  public Future<Void> sortedSetPut(String key, Map<String, Double> scores) {
    return attempt(() -> putScores(key, scores, null));
  }

  @Override
  public Future<Void> sortedSetPut(String key, Map<String, Double> scores, Duration ttl) {
    return attempt(() -> putScores(key, scores, ttl));
  }

  /** ZADD, then, when ttl is given, PEXPIRE in the same step. */
  private Void putScores(String key, Map<String, Double> scores, Duration ttl) {
    // checked before the set is touched, so that a bad score changes nothing
    if (scores.values().stream().anyMatch(score -> Double.isNaN(score))) {
      throw new IllegalArgumentException("score is not a number (NaN)");
    }
    slots.compute(key, (k, slot) -> {
      SortedSet set = isAbsent(slot) ? new SortedSet() : expect(SortedSet.class, k, slot);
      scores.forEach((member, given) -> {
        // + 0.0 folds -0.0 into 0.0, as in sortedSetIncrement
        double score = given + 0.0;
        Double old = set.scores.put(member, score);
        if (old != null) {
          set.ordered.remove(new ScoredMember(member, old));
        }
        set.ordered.add(new ScoredMember(member, score));
      });
      if (ttl != null) {
        set.expireAt(System.nanoTime() + ttl.toNanos());
      }
      return set;
    });
    return null;
  }

  @Override
  public Future<List<ScoredMember>> sortedSetTop(String key, long start, long stop) {
    return attempt(() -> read(key, SortedSet.class, set -> range(set, start, stop), List.of()));
  }

  @Override
  public Future<Long> sortedSetRank(String key, String member) {
    return attempt(() -> read(key, SortedSet.class, set -> rank(set, member), null));
  }

  @Override
  public Future<Boolean> setIfAbsent(String key, String value, Duration ttl) {
    return attempt(() -> {
      boolean[] won = new boolean[1];
      long now = System.nanoTime();
      slots.compute(key, (k, slot) -> {
        if (slot != null && !slot.expired(now)) {
          return slot;
        }
        won[0] = true;
        return new Value(value, true, now + ttl.toNanos());
      });
      return won[0];
    });
  }

  @Override
  public Future<Void> put(String key, String value, Duration ttl) {
    return attempt(() -> {
      slots.put(key, new Value(value, true, System.nanoTime() + ttl.toNanos()));
      return null;
    });
  }

  @Override
  public Future<Boolean> renewIfHeld(String key, String value, Duration ttl) {
    return attempt(() -> {
      boolean[] held = new boolean[1];
      long now = System.nanoTime();
      slots.computeIfPresent(key, (k, slot) -> {
        if (slot instanceof Value current && !current.expired(now) && current.text().equals(value)) {
          held[0] = true;
          return new Value(value, true, now + ttl.toNanos());
        }
        return slot;
      });
      return held[0];
    });
  }

  @Override
  public Future<String> get(String key) {
    return attempt(() -> {
      Slot slot = live(key);
      if (slot == null) {
        return null;
      }
      if (slot instanceof Value value) {
        return value.text();
      }
      if (slot instanceof Counter counter) {
        return Long.toString(counter.value());
      }
      throw wrongType(key, slot);
    });
  }

  @Override
  public Future<Boolean> expire(String key, Duration ttl) {
    return attempt(() -> {
      boolean[] exists = new boolean[1];
      long now = System.nanoTime();
      long deadline = now + ttl.toNanos();
      slots.computeIfPresent(key, (k, slot) -> {
        if (slot.expired(now)) {
          return null;
        }
        exists[0] = true;
        if (slot instanceof Counter counter) {
          return new Counter(counter.value(), true, deadline);
        }
        if (slot instanceof Value value) {
          return new Value(value.text(), true, deadline);
        }
        if (slot instanceof Collection collection) {
          collection.expireAt(deadline);
          return collection;
        }
        throw new IllegalStateException(
            "WRONGTYPE key " + k + " is a topic history, which ages by the maxAge of its appends");
      });
      return exists[0];
    });
  }

  @Override
  public Future<Void> delete(String key) {
    slots.remove(key);
    return Future.succeededFuture();
  }

  @Override
  public Future<Long> append(String topic, String payload, int maxEntries, Duration maxAge) {
    if (maxEntries < 1) {
      return Future.failedFuture(new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries));
    }
    return attempt(() -> {
      long[] sequence = new long[1];
      slots.compute(topic, (k, slot) -> {
        Topic history = isAbsent(slot) ? new Topic() : expect(Topic.class, k, slot);
        long now = System.currentTimeMillis();
        history.sequence++;
        history.maxAgeMillis = maxAge.toMillis();
        history.entries.addLast(new HistoryEntry(history.sequence, now, payload));
        while (history.entries.size() > maxEntries) {
          history.entries.removeFirst();
        }
        history.trimOlderThan(now - history.maxAgeMillis);
        sequence[0] = history.sequence;
        return history;
      });
      return sequence[0];
    });
  }

  @Override
  public Future<HistorySlice> readSince(String topic, long afterSequence, Duration maxAge) {
    long after = Math.max(0, afterSequence);
    return attempt(() -> read(topic, Topic.class, history -> {
      long now = System.currentTimeMillis();
      history.trimOlderThan(now - history.maxAgeMillis);
      return slice(history, after, now - maxAge.toMillis());
    }, new HistorySlice(List.of(), 0, true)));
  }

  @Override
  public Future<Long> lastSequence(String topic) {
    return attempt(() -> read(topic, Topic.class, history -> history.sequence, 0L));
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    return Future.succeededFuture();
  }

  @Override
  public String engineName() {
    return "memory";
  }

  /** Keys held, expired ones included until they are read or swept; for tests. */
  int size() {
    return slots.size();
  }

  private long addToCounter(String key, long delta, boolean withExpiry, long ttlNanos) {
    long[] result = new long[1];
    long now = System.nanoTime();
    slots.compute(key, (k, slot) -> {
      Counter counter = asCounter(k, slot, now);
      // a counter without a TTL gets one, as the Redis engine does, so a rate-limit window can never stick
      boolean startsWindow = withExpiry && !counter.expires();
      Counter next = new Counter(Math.addExact(counter.value(), delta), counter.expires() || startsWindow,
          startsWindow ? now + ttlNanos : counter.deadlineNanos());
      result[0] = next.value();
      return next;
    });
    return result[0];
  }

  /** HINCRBY, then, when ttl is given, PEXPIRE in the same step. */
  private long addToHash(String key, String field, long delta, Duration ttl) {
    long[] result = new long[1];
    slots.compute(key, (k, slot) -> {
      HashCounters hash = isAbsent(slot) ? new HashCounters() : expect(HashCounters.class, k, slot);
      result[0] = hash.fields.merge(field, delta, Math::addExact);
      if (ttl != null) {
        hash.expireAt(System.nanoTime() + ttl.toNanos());
      }
      return hash;
    });
    return result[0];
  }

  private static Counter asCounter(String key, Slot slot, long now) {
    if (slot == null || slot.expired(now)) {
      return new Counter(0, false, 0);
    }
    if (slot instanceof Counter counter) {
      return counter;
    }
    if (slot instanceof Value value) {
      // Redis keeps counters as strings, so INCRBY works on a numeric SET value and keeps its TTL
      return new Counter(parseCounter(key, value.text()), value.expires(), value.deadlineNanos());
    }
    throw wrongType(key, slot);
  }

  private static HistorySlice slice(Topic history, long after, long cutoffMillis) {
    long last = history.sequence;
    if (after >= last) {
      return new HistorySlice(List.of(), last, true);
    }
    List<HistoryEntry> entries = new ArrayList<>();
    for (Iterator<HistoryEntry> it = history.entries.descendingIterator(); it.hasNext(); ) {
      HistoryEntry entry = it.next();
      if (entry.sequence() <= after) {
        break;
      }
      entries.add(entry);
    }
    Collections.reverse(entries);
    entries.removeIf(entry -> entry.timestampMillis() < cutoffMillis);
    // the deque holds consecutive sequences, so the count alone tells whether any is missing
    boolean complete = entries.size() == last - after;
    return new HistorySlice(List.copyOf(entries), last, complete);
  }

  private static List<ScoredMember> range(SortedSet set, long start, long stop) {
    long size = set.ordered.size();
    long from = start < 0 ? Math.max(0, start + size) : start;
    long to = Math.min(stop < 0 ? stop + size : stop, size - 1);
    if (from > to) {
      return List.of();
    }
    List<ScoredMember> members = new ArrayList<>((int) (to - from + 1));
    long index = 0;
    for (ScoredMember member : set.ordered) {
      if (index > to) {
        break;
      }
      if (index >= from) {
        members.add(member);
      }
      index++;
    }
    return members;
  }

  private static Long rank(SortedSet set, String member) {
    Double score = set.scores.get(member);
    return score == null ? null : (long) set.ordered.headSet(new ScoredMember(member, score)).size();
  }

  /** The slot of a key, or null when absent or expired (an expired slot is removed on the way). */
  private Slot live(String key) {
    Slot slot = slots.get(key);
    if (slot != null && slot.expired(System.nanoTime())) {
      slots.remove(key, slot);
      return null;
    }
    return slot;
  }

  /** Runs a read under the key's lock, so it never sees a half-applied write to a mutable slot. */
  private <S extends Slot, T> T read(String key, Class<S> kind, Function<S, T> reader, T absent) {
    Object[] result = {absent};
    slots.computeIfPresent(key, (k, slot) -> {
      if (isAbsent(slot)) {
        return null;
      }
      result[0] = reader.apply(expect(kind, k, slot));
      return slot;
    });
    @SuppressWarnings("unchecked")
    T value = (T) result[0];
    return value;
  }

  private void sweep() {
    long nowNanos = System.nanoTime();
    long nowMillis = System.currentTimeMillis();
    for (Map.Entry<String, Slot> entry : slots.entrySet()) {
      Slot slot = entry.getValue();
      if (slot instanceof Topic) {
        slots.computeIfPresent(entry.getKey(), (k, current) -> {
          if (current instanceof Topic history) {
            history.trimOlderThan(nowMillis - history.maxAgeMillis);
          }
          return current;
        });
      } else if (slot.expired(nowNanos)) {
        // remove(key, value) spares a slot that was replaced by a fresh one since we looked
        slots.remove(entry.getKey(), slot);
      }
    }
  }

  /** An expired slot is as good as absent: Redis would already have dropped the key. */
  private static boolean isAbsent(Slot slot) {
    return slot == null || slot.expired(System.nanoTime());
  }

  private static <S extends Slot> S expect(Class<S> kind, String key, Slot slot) {
    if (!kind.isInstance(slot)) {
      throw wrongType(key, slot);
    }
    return kind.cast(slot);
  }

  private static IllegalStateException wrongType(String key, Slot slot) {
    return new IllegalStateException("WRONGTYPE key " + key + " holds a " + slot.getClass().getSimpleName());
  }

  private static long parseCounter(String key, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("value of " + key + " is not an integer", e);
    }
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static <T> Future<T> attempt(Supplier<T> operation) {
    try {
      return Future.succeededFuture(operation.get());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
