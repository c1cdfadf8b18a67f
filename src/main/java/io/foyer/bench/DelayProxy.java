package io.foyer.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 that holds every chunk, in each direction, for a fixed time before passing it on, in
 * order: the link between two regions where the kernel offers no `tc netem` (this machine's does not). It can
 * also cut the link (every relayed connection reset, new ones refused) and restore it.
 */
final class DelayProxy {

  private final Vertx vertx;
  private final long delayMillis;
  private final NetClient client;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private NetServer server;
  private volatile boolean cut;

  private DelayProxy(Vertx vertx, long delayMillis) {
    this.vertx = vertx;
    this.delayMillis = delayMillis;
    this.client = vertx.createNetClient();
  }

  /** A relay to host:port that delays each direction by delayMillis; listens on a free port. */
  static Future<DelayProxy> start(Vertx vertx, String host, int port, long delayMillis) {
    DelayProxy proxy = new DelayProxy(vertx, delayMillis);
    proxy.server = vertx.createNetServer().connectHandler(inbound -> proxy.accept(inbound, host, port));
    return proxy.server.listen(0, "127.0.0.1").map(proxy);
  }

  int port() {
    return server.actualPort();
  }

  /** Resets every relayed connection and refuses new ones until {@link #restore()}. */
  void cut() {
    cut = true;
    open.forEach(NetSocket::close);
  }

  void restore() {
    cut = false;
  }

  private void accept(NetSocket inbound, String host, int port) {
    if (cut) {
      inbound.close();
      return;
    }
    inbound.pause();
    client.connect(port, host).onSuccess(outbound -> {
      relay(inbound, outbound);
      relay(outbound, inbound);
      inbound.resume();
    }).onFailure(err -> inbound.close());
  }

  /** Chunks wait in arrival order; one timer at a time, for the oldest, keeps them in order. */
  private void relay(NetSocket from, NetSocket to) {
    open.add(from);
    ArrayDeque<Held> held = new ArrayDeque<>();
    from.handler(data -> {
      if (cut) {
        from.close();
        return;
      }
      held.add(new Held(System.nanoTime() + delayMillis * 1_000_000, data));
      if (held.size() == 1) {
        vertx.setTimer(Math.max(1, delayMillis), id -> release(held, to));
      }
    });
    from.closeHandler(v -> {
      open.remove(from);
      // what was sent before the close still arrives, as on a real link
      vertx.setTimer(Math.max(1, delayMillis), id -> to.close());
    });
  }

  private void release(ArrayDeque<Held> held, NetSocket to) {
    long now = System.nanoTime();
    while (!held.isEmpty() && held.peek().due() - now <= 500_000) {
      to.write(held.poll().data());
    }
    if (!held.isEmpty()) {
      long wait = Math.max(1, (held.peek().due() - now) / 1_000_000);
      vertx.setTimer(wait, id -> release(held, to));
    }
  }

  private record Held(long due, Buffer data) {}
}
