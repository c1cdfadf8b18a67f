package io.foyer.live;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Hot, shared, fast-changing state: counters, tallies, leaderboards, dedup and rate-limit keys, and the
 * bounded history of each push topic that lets a reconnecting client resume. Every operation is atomic, so
 * concurrent writers on any number of nodes never lose an update.
 *
 * <p>Keys of one kind (counter, hash of counters, sorted set, value, topic history) reject operations of another
 * kind, as Redis does with WRONGTYPE.
 *
 * <p>Two engines: {@link MemoryLiveState} for a single node and {@link RedisLiveState} for any number of
 * nodes. Keys are plain strings chosen by the owning capability (e.g. "poll:42:tally"); an engine may add a
 * namespace prefix of its own.
 */
public interface LiveState {

  /** Adds delta to a counter (created at 0) and returns the new value. */
  Future<Long> increment(String key, long delta);

  /**
   * Adds delta to a counter that expires ttl after it was created (fixed windows for rate limits);
   * returns the new value.
   */
  Future<Long> incrementWithExpiry(String key, long delta, Duration ttl);

  /** Current value of a counter, 0 when absent. */
  Future<Long> counter(String key);

  /** Adds delta to one field of a hash of counters (a poll tally) and returns the field's new value. */
  Future<Long> hashIncrement(String key, String field, long delta);

  /**
   * As {@link #hashIncrement(String, String, long)}, and in the same atomic step (re)sets the hash to expire ttl
   * from now, so that a hash nobody writes to any more goes by itself.
   */
  Future<Long> hashIncrement(String key, String field, long delta, Duration ttl);

  /**
   * Sets one field of a hash of counters to value, whatever it held before, creating the hash when absent (a
   * tally recounted from the database). The field reads back through {@link #hashCounters} and counts on from
   * there with {@link #hashIncrement}.
   */
  Future<Void> hashPut(String key, String field, long value);

  /**
   * Removes one field of a hash of counters; nothing happens when the field or the hash is absent. A hash whose
   * last field goes is gone: {@link #hashCounters} reads it as empty, and the key may be reused as another kind.
   */
  Future<Void> hashRemove(String key, String field);

  /**
   * Replaces whatever the key held with a hash of counters holding fields, in one atomic step, expiring ttl from
   * now; with no fields the key is simply gone (a tally recounted from the database, which counts on from there).
   */
  Future<Void> hashReplace(String key, Map<String, Long> fields, Duration ttl);

  /** Every field of a hash of counters; empty when absent. */
  Future<Map<String, Long>> hashCounters(String key);

  /** Adds delta to a member's score in a sorted set (a leaderboard) and returns the new score. */
  Future<Double> sortedSetIncrement(String key, String member, double delta);

  /**
   * Sets the scores of many members at once, whatever they held before, creating the set when absent (a
   * leaderboard recomputed from the database, which a retry may write again unchanged).
   */
  Future<Void> sortedSetPut(String key, Map<String, Double> scores);

  /** As {@link #sortedSetPut(String, Map)}, then (re)sets the set to expire ttl from now. */
  Future<Void> sortedSetPut(String key, Map<String, Double> scores, Duration ttl);

  /**
   * Members by descending score, ranks from start to stop inclusive (0-based; -1 is the last), ties broken
   * by member in descending lexicographic order, as Redis does.
   */
  Future<List<ScoredMember>> sortedSetTop(String key, long start, long stop);

  /** A member's 0-based rank by descending score, or null when absent. */
  Future<Long> sortedSetRank(String key, String member);

  /** Sets key to value only if absent, expiring after ttl; true when this call set it. */
  Future<Boolean> setIfAbsent(String key, String value, Duration ttl);

  /** Sets key to value, whatever it held, expiring after ttl (a shared flag such as "this lobby is open"). */
  Future<Void> put(String key, String value, Duration ttl);

  /**
   * A lease's renewal: when key holds value (the caller still holds the lease), (re)sets it to expire ttl from now
   * and returns true; otherwise changes nothing and returns false. Atomic, so a holder whose lease expired and was
   * taken by another can never extend the new holder's.
   */
  Future<Boolean> renewIfHeld(String key, String value, Duration ttl);

  /** The value of a plain key, or null when absent or expired. */
  Future<String> get(String key);

  /**
   * (Re)sets a counter, hash, sorted set or value to expire ttl from now, whatever TTL it had; true when the key
   * exists, false (and nothing changes) when it is absent. Later writes keep the TTL, as in Redis, unless they set
   * one of their own. A topic history is refused: it ages by the maxAge of its appends instead.
   */
  Future<Boolean> expire(String key, Duration ttl);

  /** Removes a key of any kind (counter, hash, sorted set, value, topic history). */
  Future<Void> delete(String key);

  /**
   * Appends a message to a topic's history and returns its sequence number: 1 for a topic's first message,
   * then strictly increasing by one, never reused even after the history was trimmed. Keeps at most
   * maxEntries messages, and drops messages older than maxAge.
   */
  Future<Long> append(String topic, String payload, int maxEntries, Duration maxAge);

  /**
   * The messages of a topic after afterSequence, oldest first. {@link HistorySlice#complete()} is false when
   * some of them are no longer kept (trimmed by count or age); the caller then sends a snapshot instead.
   */
  Future<HistorySlice> readSince(String topic, long afterSequence, Duration maxAge);

  /** Highest sequence number given out for a topic, 0 when none. */
  Future<Long> lastSequence(String topic);

  /** Checks the engine is usable (readiness). */
  Future<Void> ping();

  /** Releases connections and timers. */
  Future<Void> close();

  /** Short name for start-up output and health: "memory" or "redis". */
  String engineName();

  /** A member of a sorted set with its score. */
  record ScoredMember(String member, double score) {}

  /** One message of a topic's history. */
  record HistoryEntry(long sequence, long timestampMillis, String payload) {}

  /**
   * The messages after a sequence number. lastSequence is the topic's newest sequence at the time of the
   * read; complete tells whether entries holds every message between the asked sequence and lastSequence.
   */
  record HistorySlice(List<HistoryEntry> entries, long lastSequence, boolean complete) {}
}
