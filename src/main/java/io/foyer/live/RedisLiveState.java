package io.foyer.live;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LiveState} on Redis (6.2 or later), shared by any number of nodes.
 *
 * <p>Key layout: a key K becomes {@code <prefix>{K}}, and a topic K also owns {@code <prefix>{K}:seq}, the
 * counter its sequence numbers come from. The braces are a Redis Cluster hash tag, so a topic's stream and
 * sequence key always live in the same slot, as its Lua scripts require; and since every mapped key ends in
 * "}" no key of a capability can ever collide with a sequence key. {@link #delete} removes both.
 *
 * <p>A topic's history is a stream whose entry ids are {@code <sequence>-0}, each with fields {@code t}
 * (Redis server time in milliseconds, so node clocks do not matter) and {@code p} (the payload). Appends trim
 * by count (MAXLEN) and by age (scanning from the oldest entry, then XTRIM MINID); the stream expires maxAge
 * after the last append, when all its entries would be too old anyway, while the sequence key stays so that
 * numbers are never reused. Reads filter by age again, since time passes between appends.
 */
public final class RedisLiveState implements LiveState {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLiveState.class);

  /**
   * Requests beyond the pool size wait for a connection: a burst from every event loop must queue rather than
   * fail, and Redis answers each request in well under a millisecond, so even a full queue drains quickly.
   */
  private static final int MAX_POOL_WAITING = 10_000;

  /** Members per ZADD of {@link #sortedSetPut}. */
  private static final int ZADD_CHUNK = 500;

  /** The TTL is set when the counter has none, i.e. when this call created it, in the same atomic step. */
  private static final Script INCREMENT_WITH_EXPIRY = new Script("""
      local value = redis.call('INCRBY', KEYS[1], ARGV[1])
      if redis.call('PTTL', KEYS[1]) == -1 then
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
      end
      return value
      """);

  private static final Script HASH_INCREMENT_WITH_EXPIRY = new Script("""
      local value = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return value
      """);

  /** ARGV: the TTL, then field, value pairs; with no pairs the hash is only deleted. */
  private static final Script HASH_REPLACE = new Script("""
      redis.call('DEL', KEYS[1])
      for i = 2, #ARGV, 2 do
        redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[1])
      return 0
      """);

  /** PEXPIRE, refused for a topic's stream: its history ages by the maxAge of its appends. */
  private static final Script EXPIRE = new Script("""
      if redis.call('TYPE', KEYS[1])['ok'] == 'stream' then
        return redis.error_reply('WRONGTYPE key is a topic history, which ages by the maxAge of its appends')
      end
      return redis.call('PEXPIRE', KEYS[1], ARGV[1])
      """);

  /** A lease renewed only by its holder: compare and expire in one step. */
  private static final Script RENEW_IF_HELD = new Script("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
      end
      return 0
      """);

  private static final Script APPEND = new Script("""
      local stream, seqKey = KEYS[1], KEYS[2]
      local payload, maxEntries, maxAge = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
      local seq = redis.call('INCR', seqKey)
      if seq == 1 and redis.call('EXISTS', stream) == 1 then
        -- the sequence key was lost but the stream was not: carry on after the stream's newest id
        local info = redis.call('XINFO', 'STREAM', stream)
        for i = 1, #info, 2 do
          if info[i] == 'last-generated-id' then
            seq = tonumber(string.match(info[i + 1], '^%d+')) + 1
            redis.call('SET', seqKey, string.format('%d', seq))
          end
        end
      end
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      redis.call('XADD', stream, 'MAXLEN', maxEntries, string.format('%d-0', seq),
        't', string.format('%d', now), 'p', payload)
      -- ids are sequence numbers, not times, so find the oldest entry young enough to keep by its t field
      local cutoff = now - maxAge
      local from = '-'
      while true do
        local batch = redis.call('XRANGE', stream, from, '+', 'COUNT', 16)
        if #batch == 0 then break end
        local keep = nil
        for _, entry in ipairs(batch) do
          if tonumber(entry[2][2]) >= cutoff then keep = entry[1] break end
        end
        if keep then
          redis.call('XTRIM', stream, 'MINID', keep)
          break
        end
        from = '(' .. batch[#batch][1]
      end
      redis.call('PEXPIRE', stream, math.max(maxAge, 1))
      return seq
      """);

  /** Returns {lastSequence, server time in ms, entries after ARGV[1]} read at one instant. */
  private static final Script READ_SINCE = new Script("""
      local last = tonumber(redis.call('GET', KEYS[2]) or '0')
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      local after = tonumber(ARGV[1])
      if after >= last then
        return {last, now, {}}
      end
      return {last, now, redis.call('XRANGE', KEYS[1], string.format('%d-0', after + 1), '+')}
      """);

  private final Redis redis;
  /**
   * One connection of its own for {@link #ping} (readiness): through the work pool a ping waits behind the work,
   * and a node busy with a connect storm looked unreachable.
   */
  private final Redis probe;
  private final String prefix;

  private RedisLiveState(Redis redis, Redis probe, String keyPrefix) {
    this.redis = redis;
    this.probe = probe;
    this.prefix = keyPrefix;
  }

  /** Creates the client, checks the server answers, and returns the engine; every key gets keyPrefix. */
  public static Future<RedisLiveState> connect(Vertx vertx, String redisUrl, int poolSize, String keyPrefix) {
    return connect(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(MAX_POOL_WAITING), keyPrefix);
  }

  /** For tests that need other client options, such as the RESP2 protocol. */
  static Future<RedisLiveState> connect(Vertx vertx, RedisOptions options, String keyPrefix) {
    Redis client = Redis.createClient(vertx, options);
    Redis probe = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1));
    RedisLiveState state = new RedisLiveState(client, probe, keyPrefix);
    return state.ping()
        .map(ignored -> state)
        .recover(failure -> state.close().transform(ignored -> Future.failedFuture(failure)));
  }

  @Override
  public Future<Long> increment(String key, long delta) {
    return send(Request.cmd(Command.INCRBY).arg(key(key)).arg(delta)).map(Response::toLong);
  }

  @Override
  public Future<Long> incrementWithExpiry(String key, long delta, Duration ttl) {
    return eval(INCREMENT_WITH_EXPIRY, List.of(key(key)), List.of(Long.toString(delta), millis(ttl)))
        .map(Response::toLong);
  }

  @Override
  public Future<Long> counter(String key) {
    return send(Request.cmd(Command.GET).arg(key(key))).map(response -> response == null ? 0L : response.toLong());
  }

  @Override
  public Future<Long> hashIncrement(String key, String field, long delta) {
    return send(Request.cmd(Command.HINCRBY).arg(key(key)).arg(field).arg(delta)).map(Response::toLong);
  }

  @Override
  public Future<Long> hashIncrement(String key, String field, long delta, Duration ttl) {
    return eval(HASH_INCREMENT_WITH_EXPIRY, List.of(key(key)), List.of(field, Long.toString(delta), millis(ttl)))
        .map(Response::toLong);
  }

  @Override
  public Future<Void> hashPut(String key, String field, long value) {
    return send(Request.cmd(Command.HSET).arg(key(key)).arg(field).arg(value)).mapEmpty();
  }

  /** HDEL: Redis itself deletes the hash when its last field goes. */
  @Override
  public Future<Void> hashRemove(String key, String field) {
    return send(Request.cmd(Command.HDEL).arg(key(key)).arg(field)).mapEmpty();
  }

  @Override
  public Future<Void> hashReplace(String key, Map<String, Long> fields, Duration ttl) {
    List<String> args = new ArrayList<>(1 + 2 * fields.size());
    args.add(millis(ttl));
    fields.forEach((field, value) -> {
      args.add(field);
      args.add(Long.toString(value));
    });
    return eval(HASH_REPLACE, List.of(key(key)), args).mapEmpty();
  }

  @Override
  public Future<Map<String, Long>> hashCounters(String key) {
    return send(Request.cmd(Command.HGETALL).arg(key(key))).map(RedisLiveState::toCounters);
  }

  @Override
  public Future<Double> sortedSetIncrement(String key, String member, double delta) {
    return send(Request.cmd(Command.ZINCRBY).arg(key(key)).arg(Double.toString(delta)).arg(member))
        .map(Response::toDouble);
  }

  /** ZADD in chunks, so that no single command holds Redis for long; each chunk is atomic on its own. */
  @Override
  public Future<Void> sortedSetPut(String key, Map<String, Double> scores) {
    return Future.all(zaddChunks(key, scores).stream().map(this::send).toList()).mapEmpty();
  }

  /**
   * The chunks of {@link #sortedSetPut(String, Map)} and then PEXPIRE, pipelined on one connection: one round
   * trip, in order, so the TTL is set once every chunk is in.
   */
  @Override
  public Future<Void> sortedSetPut(String key, Map<String, Double> scores, Duration ttl) {
    List<Request> requests = zaddChunks(key, scores);
    requests.add(Request.cmd(Command.PEXPIRE).arg(key(key)).arg(millis(ttl)));
    return redis.batch(requests).mapEmpty();
  }

  private List<Request> zaddChunks(String key, Map<String, Double> scores) {
    List<Request> chunks = new ArrayList<>();
    Request chunk = null;
    int inChunk = 0;
    for (Map.Entry<String, Double> entry : scores.entrySet()) {
      if (chunk == null) {
        chunk = Request.cmd(Command.ZADD).arg(key(key));
        chunks.add(chunk);
      }
      chunk.arg(Double.toString(entry.getValue())).arg(entry.getKey());
      if (++inChunk == ZADD_CHUNK) {
        chunk = null;
        inChunk = 0;
      }
    }
    return chunks;
  }

  @Override
  public Future<List<ScoredMember>> sortedSetTop(String key, long start, long stop) {
    return send(Request.cmd(Command.ZREVRANGE).arg(key(key)).arg(start).arg(stop).arg("WITHSCORES"))
        .map(RedisLiveState::toScoredMembers);
  }

  @Override
  public Future<Long> sortedSetRank(String key, String member) {
    return send(Request.cmd(Command.ZREVRANK).arg(key(key)).arg(member))
        .map(response -> response == null ? null : response.toLong());
  }

  @Override
  public Future<Boolean> setIfAbsent(String key, String value, Duration ttl) {
    return send(Request.cmd(Command.SET).arg(key(key)).arg(value).arg("NX").arg("PX").arg(millis(ttl)))
        .map(response -> response != null);
  }

  @Override
  public Future<Void> put(String key, String value, Duration ttl) {
    return send(Request.cmd(Command.SET).arg(key(key)).arg(value).arg("PX").arg(millis(ttl))).mapEmpty();
  }

  @Override
  public Future<Boolean> renewIfHeld(String key, String value, Duration ttl) {
    return eval(RENEW_IF_HELD, List.of(key(key)), List.of(value, millis(ttl))).map(response -> response.toLong() == 1);
  }

  @Override
  public Future<String> get(String key) {
    return send(Request.cmd(Command.GET).arg(key(key))).map(response -> response == null ? null : response.toString());
  }

  @Override
  public Future<Boolean> expire(String key, Duration ttl) {
    return eval(EXPIRE, List.of(key(key)), List.of(millis(ttl))).map(response -> response.toLong() == 1);
  }

  @Override
  public Future<Void> delete(String key) {
    return send(Request.cmd(Command.DEL).arg(key(key)).arg(sequenceKey(key))).mapEmpty();
  }

  @Override
  public Future<Long> append(String topic, String payload, int maxEntries, Duration maxAge) {
    if (maxEntries < 1) {
      return Future.failedFuture(new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries));
    }
    return eval(APPEND, List.of(key(topic), sequenceKey(topic)),
        List.of(payload, Integer.toString(maxEntries), millis(maxAge)))
        .map(Response::toLong);
  }

  @Override
  public Future<HistorySlice> readSince(String topic, long afterSequence, Duration maxAge) {
    long after = Math.max(0, afterSequence);
    return eval(READ_SINCE, List.of(key(topic), sequenceKey(topic)), List.of(Long.toString(after)))
        .map(response -> toSlice(response, after, maxAge.toMillis()));
  }

  @Override
  public Future<Long> lastSequence(String topic) {
    return send(Request.cmd(Command.GET).arg(sequenceKey(topic)))
        .map(response -> response == null ? 0L : response.toLong());
  }

  @Override
  public Future<Void> ping() {
    return probe.send(Request.cmd(Command.PING)).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return Future.join(redis.close(), probe.close()).mapEmpty();
  }

  @Override
  public String engineName() {
    return "redis";
  }

  private String key(String key) {
    return prefix + "{" + key + "}";
  }

  private String sequenceKey(String topic) {
    return key(topic) + ":seq";
  }

  private Future<Response> send(Request request) {
    return redis.send(request);
  }

  /** EVALSHA, falling back to EVAL (which also caches the script) when the server does not know it yet. */
  private Future<Response> eval(Script script, List<String> keys, List<String> args) {
    return send(script.request(Command.EVALSHA, script.sha1, keys, args))
        .recover(failure -> isNoScript(failure) ? evalSource(script, keys, args) : Future.failedFuture(failure));
  }

  private Future<Response> evalSource(Script script, List<String> keys, List<String> args) {
    LOG.debug("Redis has no script {} cached yet, sending its source", script.sha1);
    return send(script.request(Command.EVAL, script.source, keys, args));
  }

  private static boolean isNoScript(Throwable failure) {
    return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
  }

  private static HistorySlice toSlice(Response response, long after, long maxAgeMillis) {
    long last = response.get(0).toLong();
    long cutoff = response.get(1).toLong() - maxAgeMillis;
    List<HistoryEntry> entries = new ArrayList<>();
    boolean complete = true;
    long expected = after + 1;
    for (Response item : response.get(2)) {
      HistoryEntry entry = toEntry(item);
      complete &= entry.sequence() == expected++;
      if (entry.timestampMillis() >= cutoff) {
        entries.add(entry);
      } else {
        complete = false;
      }
    }
    complete &= after >= last || expected == last + 1;
    return new HistorySlice(List.copyOf(entries), last, complete);
  }

  private static HistoryEntry toEntry(Response item) {
    String id = item.get(0).toString();
    long sequence = Long.parseLong(id.substring(0, id.indexOf('-')));
    long timestamp = 0;
    String payload = null;
    Response fields = item.get(1);
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String name = fields.get(i).toString();
      if (name.equals("t")) {
        timestamp = fields.get(i + 1).toLong();
      } else if (name.equals("p")) {
        payload = fields.get(i + 1).toString();
      }
    }
    return new HistoryEntry(sequence, timestamp, payload);
  }

  /** HGETALL is a map under RESP3 and a flat field, value array under RESP2. */
  private static Map<String, Long> toCounters(Response response) {
    if (response == null) {
      return Map.of();
    }
    Map<String, Long> counters = new HashMap<>();
    if (response.isMap()) {
      for (String field : response.getKeys()) {
        counters.put(field, response.get(field).toLong());
      }
    } else {
      for (int i = 0; i + 1 < response.size(); i += 2) {
        counters.put(response.get(i).toString(), response.get(i + 1).toLong());
      }
    }
    return Map.copyOf(counters);
  }

  /** WITHSCORES is [member, score] pairs under RESP3 and a flat member, score array under RESP2. */
  private static List<ScoredMember> toScoredMembers(Response response) {
    List<ScoredMember> members = new ArrayList<>();
    if (response == null || response.size() == 0) {
      return members;
    }
    if (response.get(0).type() == ResponseType.MULTI) {
      for (Response pair : response) {
        members.add(new ScoredMember(pair.get(0).toString(), pair.get(1).toDouble()));
      }
    } else {
      for (int i = 0; i + 1 < response.size(); i += 2) {
        members.add(new ScoredMember(response.get(i).toString(), response.get(i + 1).toDouble()));
      }
    }
    return members;
  }

  /** Redis rejects a zero or negative PX/PEXPIRE, and a shorter TTL than 1 ms means nothing to it anyway. */
  private static String millis(Duration duration) {
    return Long.toString(Math.max(1, duration.toMillis()));
  }

  private record Script(String source, String sha1) {
    Script(String source) {
      this(source, sha1(source));
    }

    Request request(Command command, String script, List<String> keys, List<String> args) {
      Request request = Request.cmd(command).arg(script).arg(keys.size());
      keys.forEach(request::arg);
      args.forEach(request::arg);
      return request;
    }

    private static String sha1(String source) {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JVM has SHA-1", e);
      }
    }
  }
}
