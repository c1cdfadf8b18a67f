package io.foyer.ops;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How late the event loops run what is due: a small task scheduled on every loop of the node each
 * {@link #PROBE_MILLIS}, whose delay past its due time is the time the loop was busy with something else (a
 * blocking call, a long computation, a flood of work). Vert.x publishes no such measure, and a verticle's timer
 * measures only the loop it happens to be on, so the probes go on Netty's loops directly, each measured alone.
 */
final class EventLoopLag {

  private static final long PROBE_MILLIS = 100;
  private static final long PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(PROBE_MILLIS);

  private final AtomicLong worstNanos = new AtomicLong();
  private volatile boolean running;

  void start(Vertx vertx) {
    running = true;
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      probe(loop);
    }
  }

  void stop() {
    running = false;
  }

  /** The worst delay of any loop since the last call, in milliseconds; the window starts again. */
  double takeWorstMillis() {
    return worstNanos.getAndSet(0) / 1_000_000.0;
  }

  private void probe(EventExecutor loop) {
    long due = System.nanoTime() + PROBE_NANOS;
    try {
      loop.schedule(() -> {
        worstNanos.accumulateAndGet(Math.max(0, System.nanoTime() - due), Math::max);
        if (running) {
          probe(loop);
        }
      }, PROBE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // the loops are shutting down with the node: nothing left to measure
    }
  }
}
