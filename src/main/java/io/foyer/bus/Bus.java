package io.foyer.bus;

import io.foyer.problem.ProblemException;
import io.foyer.problem.ProblemType;
import io.foyer.store.StoreFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.buffer.Buffer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request/reply between the capabilities of one node. Requests and replies are typed records handed over as
 * they are (a pass-through codec: nothing is copied or serialized inside a node); a failure travels as the
 * {@link ProblemException} it is, so HTTP and the gateway answer with the problem's own code.
 *
 * <p>Requests stay on the node (capabilities run on every node, principle 8); only push topics cross nodes.
 */
public final class Bus {

  private static final Logger log = LoggerFactory.getLogger(Bus.class);
  private static final String CODEC = "foyer-local";
  /**
   * Past this a request fails as unavailable: every caller gets an answer, even if a capability lost one.
   * Longer than the default HTTP deadline (http.requestTimeoutSeconds), which governs HTTP requests.
   */
  private static final long REQUEST_TIMEOUT_MILLIS = 60_000;

  private Bus() {}

  /** Registers the pass-through codec; once per Vert.x instance, before any capability starts. */
  public static void install(Vertx vertx) {
    vertx.eventBus().registerCodec(new PassThrough());
  }

  /** Sends a request to this node's capability at the address; completes with its reply or its problem. */
  public static <R> Future<R> request(Vertx vertx, String address, Object request) {
    DeliveryOptions options = new DeliveryOptions().setCodecName(CODEC).setLocalOnly(true)
        .setSendTimeout(REQUEST_TIMEOUT_MILLIS);
    return vertx.eventBus().<R>request(address, request, options)
        .map(reply -> reply.body())
        .recover(Bus::asProblem);
  }

  /** Sends a one-way notice (no reply expected) to this node's capability at the address. */
  public static void tell(Vertx vertx, String address, Object notice) {
    vertx.eventBus().send(address, notice, new DeliveryOptions().setCodecName(CODEC).setLocalOnly(true));
  }

  /** Publishes a one-way notice to every consumer of the address on this node. */
  public static void publish(Vertx vertx, String address, Object notice) {
    vertx.eventBus().publish(address, notice, new DeliveryOptions().setCodecName(CODEC).setLocalOnly(true));
  }

  /**
   * Serves requests at an address with a handler returning a Future; completes once the consumer is
   * registered. Unexpected failures are logged here, once, and answered as internal or unavailable problems.
   */
  public static <T, R> Future<MessageConsumer<T>> serve(Vertx vertx, String address, Function<T, Future<R>> handler) {
    MessageConsumer<T> consumer = vertx.eventBus().localConsumer(address, message -> {
      Future<R> answer;
      try {
        answer = handler.apply(message.body());
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.onComplete(ar -> {
        DeliveryOptions options = new DeliveryOptions().setCodecName(CODEC);
        if (ar.succeeded()) {
          message.reply(ar.result(), options);
        } else {
          message.reply(problem(address, ar.cause()), options);
        }
      });
    });
    return consumer.completion().map(consumer);
  }

  /** Handles one-way notices at an address; completes once the consumer is registered. */
  public static <T> Future<MessageConsumer<T>> listen(Vertx vertx, String address, java.util.function.Consumer<T> handler) {
    MessageConsumer<T> consumer = vertx.eventBus().localConsumer(address, message -> {
      try {
        handler.accept(message.body());
      } catch (RuntimeException e) {
        log.error("Notice at {} failed", address, e);
      }
    });
    return consumer.completion().map(consumer);
  }

  private static ProblemException problem(String address, Throwable failure) {
    if (failure instanceof ProblemException problem) {
      return problem;
    }
    if (StoreFailures.isTransient(failure)) {
      return new ProblemException(ProblemType.UNAVAILABLE, "a dependency is unavailable; retry shortly");
    }
    log.error("Request at {} failed", address, failure);
    return new ProblemException(ProblemType.INTERNAL, "an unexpected error occurred; it has been logged");
  }

  private static <R> Future<R> asProblem(Throwable failure) {
    if (failure instanceof ProblemException) {
      return Future.failedFuture(failure);
    }
    if (failure instanceof ReplyException reply && reply.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      // no consumer (a capability not started or stopping) or no answer in time
      return Future.failedFuture(new ProblemException(ProblemType.UNAVAILABLE,
          "the service did not answer in time; retry shortly"));
    }
    return Future.failedFuture(failure);
  }

  /** Hands the very object to the consumer; a message of this codec never leaves the node. */
  private static final class PassThrough implements MessageCodec<Object, Object> {
    @Override
    public void encodeToWire(Buffer buffer, Object o) {
      throw new IllegalStateException("local message sent to another node: " + o.getClass().getName());
    }

    @Override
    public Object decodeFromWire(int pos, Buffer buffer) {
      throw new IllegalStateException("local messages are never read from the wire");
    }

    @Override
    public Object transform(Object o) {
      return o;
    }

    @Override
    public String name() {
      return CODEC;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
