package io.foyer.testing;

import static io.foyer.testing.TestNodes.await;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay between a node and one of its servers (PostgreSQL, Redis), which a test can cut and restore:
 * a real network outage as the node sees it, connections reset and new ones refused, without stopping the
 * shared server.
 */
public final class TcpProxy implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final NetClient client = vertx.createNetClient();
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final NetServer server;
  private volatile boolean cut;
  /** While held, what either side sends waits here, in order, until {@link #release()}. */
  private final java.util.List<Runnable> held = new java.util.ArrayList<>();
  private boolean holding;

  private TcpProxy(String host, int port) throws Exception {
    server = vertx.createNetServer().connectHandler(inbound -> {
      if (cut) {
        inbound.close();
        return;
      }
      inbound.pause();
      client.connect(port, host).onSuccess(outbound -> {
        pipe(inbound, outbound);
        pipe(outbound, inbound);
        inbound.resume();
      }).onFailure(err -> inbound.close());
    });
    await(server.listen(0, "127.0.0.1"));
  }

  /** A relay to the host and port of a URL such as postgresql://user@host:5432/db or redis://host:6379. */
  public static TcpProxy to(String url) throws Exception {
    URI uri = URI.create(url);
    return new TcpProxy(uri.getHost(), uri.getPort());
  }

  /** The same URL, through this relay. */
  public String through(String url) {
    URI uri = URI.create(url);
    return url.replace(uri.getHost() + ":" + uri.getPort(), "127.0.0.1:" + server.actualPort());
  }

  /** Resets every relayed connection and refuses new ones until {@link #restore()}. */
  public void cut() {
    cut = true;
    open.forEach(NetSocket::close);
  }

  public void restore() {
    cut = false;
  }

  /** Keeps every connection open but passes nothing on until {@link #release()}: a server that stops answering. */
  public void hold() {
    synchronized (held) {
      holding = true;
    }
  }

  /** Passes on, in order, what was held, and everything after it. */
  public void release() {
    synchronized (held) {
      holding = false;
      held.forEach(Runnable::run);
      held.clear();
    }
  }

  private void pipe(NetSocket from, NetSocket to) {
    open.add(from);
    from.handler(data -> {
      if (cut) {
        from.close();
        return;
      }
      synchronized (held) {
        if (holding) {
          held.add(() -> to.write(data));
          return;
        }
      }
      to.write(data);
    });
    from.closeHandler(v -> {
      open.remove(from);
      to.close();
    });
  }

  @Override
  public void close() throws Exception {
    await(vertx.close());
  }
}
