package io.foyer.sso;

import io.foyer.live.LiveState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.prng.VertxContextPRNG;
import io.vertx.ext.web.Session;
import io.vertx.ext.web.sstore.SessionStore;
import io.vertx.ext.web.sstore.impl.SharedDataSessionImpl;
import java.time.Duration;
import java.util.Base64;

/**
 * Web sessions kept in LiveState, so that whichever node a browser's next request reaches finds its sign-in (Redis
 * engine), and a node that dies takes no session with it. Each session is one value that expires with the session;
 * vertx-web's own encoding of a session is stored as text.
 */
public final class LiveStateSessionStore implements SessionStore {

  private static final String PREFIX = "session:";

  private final LiveState live;
  private VertxContextPRNG random;

  public LiveStateSessionStore(Vertx vertx, LiveState live) {
    this.live = live;
    this.random = VertxContextPRNG.current(vertx);
  }

  @Override
  public SessionStore init(Vertx vertx, JsonObject options) {
    random = VertxContextPRNG.current(vertx);
    return this;
  }

  @Override
  public long retryTimeout() {
    return 0;
  }

  @Override
  public Session createSession(long timeout) {
    return createSession(timeout, DEFAULT_SESSIONID_LENGTH);
  }

  @Override
  public Session createSession(long timeout, int length) {
    return new SharedDataSessionImpl(random, timeout, length);
  }

  @Override
  public Future<Session> get(String id) {
    return live.get(PREFIX + id).map(stored -> {
      if (stored == null) {
        return null;
      }
      SharedDataSessionImpl session = new SharedDataSessionImpl(random);
      session.readFromBuffer(0, Buffer.buffer(Base64.getDecoder().decode(stored)));
      return session;
    });
  }

  @Override
  public Future<Void> delete(String id) {
    return live.delete(PREFIX + id);
  }

  /** A session that holds nothing (a cookie whose sign-in is gone, sent again) is not worth keeping. */
  @Override
  public Future<Void> put(Session session) {
    if (session.isEmpty()) {
      return live.delete(PREFIX + session.id());
    }
    Buffer buffer = Buffer.buffer();
    ((SharedDataSessionImpl) session).writeToBuffer(buffer);
    return live.put(PREFIX + session.id(), Base64.getEncoder().encodeToString(buffer.getBytes()),
        Duration.ofMillis(session.timeout()));
  }

  /** Not offered: LiveState has no listing of keys, and nothing in Foyer clears every session at once. */
  @Override
  public Future<Void> clear() {
    return Future.failedFuture(new UnsupportedOperationException("sessions expire one by one; they are not cleared"));
  }

  @Override
  public Future<Integer> size() {
    return Future.failedFuture(new UnsupportedOperationException("sessions are not counted"));
  }

  @Override
  public void close() {
    // LiveState belongs to the node, which closes it
  }
}
