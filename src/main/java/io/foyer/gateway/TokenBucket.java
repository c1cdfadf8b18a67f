package io.foyer.gateway;

/** Per-socket inbound rate limit: a bucket of burst tokens refilled at rate per second. Not thread-safe. */
final class TokenBucket {

  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long last;

  TokenBucket(int ratePerSecond, int burst, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.capacity = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  boolean take(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
