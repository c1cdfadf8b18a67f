package io.foyer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ResourceLeakDetector;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * One encoded frame written to several sockets of one event loop, with Netty's leak detector at paranoid: no
 * leak and no reference-count error, whatever the size of the frame (Netty's encoder copies a payload of up to
 * 1 KiB behind the header and keeps a larger one as a buffer of its own until it is flushed) and also when a
 * socket is closed or closing.
 */
@ExtendWith(VertxExtension.class)
class SharedFrameOwnershipTest {

  /** A hint the leak canary touches its buffer with, so that its own leak report is told from real ones. */
  private static final String CANARY = "foyer-leak-canary";

  private static final String LEVEL_PROPERTY = "io.netty.leakDetection.level";

  private static ResourceLeakDetector.Level previousLevel;
  private static String previousProperty;
  private static ListAppender<ILoggingEvent> logged;

  @BeforeAll
  static void paranoid() {
    // before the test's Vert.x instance, its servers and its clients allocate anything; the property too, or
    // the first Vert.x instance of the JVM turns leak detection off (static initializer of VertxImpl)
    previousLevel = ResourceLeakDetector.getLevel();
    previousProperty = System.setProperty(LEVEL_PROPERTY, "paranoid");
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    logged = new ListAppender<>();
    logged.start();
    // the root logger: leak reports (io.netty.util.ResourceLeakDetector, ERROR) and whatever Netty or Vert.x
    // log about an exception in a pipeline or a handler
    root().addAppender(logged);
  }

  @AfterAll
  static void restore() {
    root().detachAppender(logged);
    ResourceLeakDetector.setLevel(previousLevel);
    if (previousProperty == null) {
      System.clearProperty(LEVEL_PROPERTY);
    } else {
      System.setProperty(LEVEL_PROPERTY, previousProperty);
    }
  }

  @Test
  void oneEncodedFrameReachesThreeSocketsOfOneEventLoop(Vertx vertx, VertxTestContext test) throws Throwable {
    assertThat(ResourceLeakDetector.getLevel()).as("leak detection, with Vert.x started")
        .isEqualTo(ResourceLeakDetector.Level.PARANOID);
    deliverToSocketsOfOneEventLoop(vertx, test, Frames::writeShared);
    // the frames, sockets and clients of the delivery are garbage now
    assertNoLeakNorReferenceCountError();
  }

  /**
   * Were Vert.x to hand a written frame's buffer on to Netty, which releases it once encoded or when the write
   * fails, each write would still release only its own payload: the bytes the other sockets read stay intact.
   */
  @Test
  void aPayloadReleasedByItsWriteLeavesTheFrameIntact(Vertx vertx, VertxTestContext test) throws Throwable {
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    deliverToSocketsOfOneEventLoop(vertx, test, SharedFrameOwnershipTest::writeHandingThePayloadToNetty);
    assertNoLeakNorReferenceCountError();
  }

  private static Future<Void> writeHandingThePayloadToNetty(ServerWebSocket socket, SharedFrame frame) {
    WebSocketFrameImpl written = new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.EMPTY_BUFFER, true);
    written.setBinaryData(frame.payload()); // as is, not wrapped as unreleasable: Netty releases it
    return socket.writeFrame(written);
  }

  private static void deliverToSocketsOfOneEventLoop(Vertx vertx, VertxTestContext test,
      BiFunction<ServerWebSocket, SharedFrame, Future<Void>> write) throws Throwable {
    List<String> messages = List.of(
        "{\"type\":\"message\",\"topic\":\"event:1\",\"seq\":1,\"data\":\"é–😀\"}", // below 126 bytes
        "{\"data\":\"" + "x".repeat(900) + "ü\"}", // 2-byte length, copied behind the header
        "{\"data\":\"" + "y".repeat(100_000) + "€\"}"); // 8-byte length, written as its own buffer
    List<SharedFrame> frames = messages.stream().map(Frames::encode).toList();
    List<String> open = List.of("/a", "/b", "/c");

    // the server: every socket on the event loop of one context
    Context serverContext = vertx.getOrCreateContext();
    Map<String, ServerWebSocket> sockets = new ConcurrentHashMap<>();
    Map<String, Promise<Void>> closedOnServer = new ConcurrentHashMap<>();
    Set<Thread> socketThreads = ConcurrentHashMap.newKeySet();
    List<Throwable> socketErrors = new CopyOnWriteArrayList<>();
    Promise<HttpServer> listening = Promise.promise();
    Promise<Void> allAccepted = Promise.promise();
    serverContext.runOnContext(v -> {
      HttpServer server = vertx.createHttpServer().webSocketHandler(socket -> {
        socketThreads.add(Thread.currentThread());
        closedOnServer.computeIfAbsent(socket.path(), p -> Promise.promise());
        socket.closeHandler(x -> closedOnServer.get(socket.path()).tryComplete());
        socket.exceptionHandler(socketErrors::add);
        sockets.put(socket.path(), socket);
        if (sockets.size() == 5) {
          allAccepted.complete();
        }
      });
      server.listen(0, "127.0.0.1").onComplete(listening);
    });
    HttpServer server = await(listening.future());
    int port = server.actualPort();

    // the clients: /a, /b and /c receive, /d is closed before the write, /e is closed by the server as it writes
    WebSocketClient client = vertx.createWebSocketClient(
        new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    Map<String, List<String>> received = new ConcurrentHashMap<>();
    Map<String, WebSocket> clients = new ConcurrentHashMap<>();
    var checkpoint = test.checkpoint(open.size() * messages.size());
    for (String path : List.of("/a", "/b", "/c", "/d", "/e")) {
      WebSocket ws = await(client.connect(port, "127.0.0.1", path));
      received.put(path, new CopyOnWriteArrayList<>());
      ws.textMessageHandler(text -> {
        received.get(path).add(text);
        checkpoint.flag();
      });
      clients.put(path, ws);
    }
    await(allAccepted.future());
    assertThat(socketThreads).as("the sockets' event loops").hasSize(1);
    await(clients.get("/d").close());
    await(closedOnServer.get("/d").future());
    assertThat(sockets.get("/d").isClosed()).isTrue();

    // one tick of the server's event loop writes every frame to every socket, as LocalSockets.deliver does
    List<Future<Void>> toOpen = new ArrayList<>();
    List<Future<Void>> toClosed = new ArrayList<>();
    List<Future<Void>> toClosing = new ArrayList<>();
    Promise<Thread> written = Promise.promise();
    serverContext.runOnContext(v -> {
      try {
        ServerWebSocket closing = sockets.get("/e");
        closing.close();
        for (SharedFrame frame : frames) {
          toClosed.add(write.apply(sockets.get("/d"), frame));
          for (String path : open) {
            toOpen.add(write.apply(sockets.get(path), frame));
          }
          toClosing.add(write.apply(closing, frame));
        }
        written.complete(Thread.currentThread());
      } catch (RuntimeException e) {
        written.fail(e); // a reference-count error thrown by a write
      }
    });
    assertThat(socketThreads).containsExactly(await(written.future()));

    assertThat(test.awaitCompletion(30, TimeUnit.SECONDS)).as("every message received in time").isTrue();
    if (test.failed()) {
      throw test.causeOfFailure();
    }
    for (String path : open) {
      assertThat(received.get(path)).as("messages at " + path).containsExactlyElementsOf(messages);
    }
    assertThat(received.get("/d")).isEmpty();
    // every write to an open socket succeeded, every write to the closed one failed without throwing
    for (Future<Void> done : toOpen) {
      assertThat(outcome(done)).isNull();
    }
    for (Future<Void> done : toClosed) {
      assertThat(outcome(done)).isNotNull().satisfies(e -> assertThat(isReferenceCountError(e)).isFalse());
    }
    for (Future<Void> done : toClosing) { // written or refused: either is fine, as long as it ends
      Throwable failure = outcome(done);
      assertThat(failure == null || !isReferenceCountError(failure)).as(String.valueOf(failure)).isTrue();
    }
    assertThat(socketErrors).noneMatch(SharedFrameOwnershipTest::isReferenceCountError);

    for (WebSocket ws : clients.values()) {
      await(ws.close().recover(e -> Future.succeededFuture()));
    }
    await(client.close());
    await(server.close());
  }

  /** The detector and the capture work: a buffer dropped unreleased here is reported as a leak. */
  @Test
  void aLeakIsReported() throws InterruptedException {
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.heapBuffer(16).touch(CANARY);
    leaked.writeLong(42);
    leaked = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (leakReports(true).isEmpty() && System.nanoTime() < deadline) {
      provokeLeakDetection();
    }
    assertThat(leakReports(true)).as("the canary's leak reported").isNotEmpty();
    assertNoLeakNorReferenceCountError();
  }

  private static void assertNoLeakNorReferenceCountError() throws InterruptedException {
    for (int round = 0; round < 5; round++) {
      provokeLeakDetection();
    }
    assertThat(leakReports(false)).as("leaks reported by Netty").isEmpty();
    List<String> referenceCountErrors = new ArrayList<>();
    for (ILoggingEvent event : List.copyOf(logged.list)) {
      if (mentionsReferenceCountError(event)) {
        referenceCountErrors.add(event.getLoggerName() + ": " + event.getFormattedMessage());
      }
    }
    assertThat(referenceCountErrors).as("reference-count errors logged").isEmpty();
  }

  /** Collects what is garbage, then allocates: a tracked allocation reports the leaks found collected. */
  private static void provokeLeakDetection() throws InterruptedException {
    System.gc();
    Thread.sleep(100);
    for (int i = 0; i < 2_000; i++) {
      ByteBuf heap = PooledByteBufAllocator.DEFAULT.heapBuffer(32);
      heap.writeInt(i);
      heap.release();
      ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(32);
      direct.writeInt(i);
      direct.release();
    }
  }

  private static List<String> leakReports(boolean canary) {
    List<String> reports = new ArrayList<>();
    for (ILoggingEvent event : List.copyOf(logged.list)) {
      String message = event.getFormattedMessage();
      if (message != null && message.contains("LEAK") && message.contains(CANARY) == canary) {
        reports.add(message);
      }
    }
    return reports;
  }

  private static boolean mentionsReferenceCountError(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    if (message != null && (message.contains("IllegalReferenceCount") || message.contains("refCnt: 0"))) {
      return true;
    }
    for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
      if (cause.getClassName().equals(IllegalReferenceCountException.class.getName())
          || cause.getMessage() != null && cause.getMessage().contains("refCnt: 0")) {
        return true;
      }
    }
    return false;
  }

  /** Null when the write succeeded, else why it failed. */
  private static Throwable outcome(Future<Void> write) throws Exception {
    return await(write.transform(ar -> Future.succeededFuture(ar.cause())));
  }

  private static boolean isReferenceCountError(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof IllegalReferenceCountException
          || cause.getMessage() != null && cause.getMessage().contains("refCnt: 0")) {
        return true;
      }
    }
    return false;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
