package io.foyer.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * One text frame, UTF-8 encoded once per node and written to every local socket that receives it ("serialize
 * once, fan out many").
 *
 * <p><b>Ownership.</b> A shared frame is <em>not</em> reference counted and has nothing to release. It owns an
 * immutable byte array on the heap, which the garbage collector frees once no topic, event loop, held catch-up
 * list or pending write refers to the frame any more. It may be handed to any number of event loops and kept
 * for as long as needed, without retain or release.
 *
 * <p>Each write takes a {@linkplain #payload() payload}: a new heap buffer over the same bytes (no copy), with
 * its own reader index and its own reference count, owned by that one write. Vert.x 5 borrows the buffer of a
 * written frame and never releases it (its frame wraps it as unreleasable); should a version hand it on to
 * Netty, Netty releases that write's own buffer and nothing else. When a write is dropped without any release
 * (socket already closed, queued write discarded on close), the buffer is garbage like any other heap object:
 * it pins no pooled or direct memory. No write can therefore free or move the bytes that the other sockets'
 * writes read, which a view sharing the reference count of one buffer (a duplicate or slice) could.
 *
 * <p>Nothing writes into a payload: the WebSocket encoder and the compression extension only read it.
 */
final class SharedFrame {

  private final byte[] utf8;

  private SharedFrame(byte[] utf8) {
    this.utf8 = utf8;
  }

  /** Encodes a text frame once. */
  static SharedFrame text(String frame) {
    return new SharedFrame(frame.getBytes(StandardCharsets.UTF_8));
  }

  /** The size of the frame's payload in bytes. */
  int length() {
    return utf8.length;
  }

  /**
   * A buffer over the shared bytes for one write, owned by whoever it is handed to: the same bytes without a
   * copy, reference count 1, independent of every other payload of this frame.
   */
  ByteBuf payload() {
    return Unpooled.wrappedBuffer(utf8);
  }

  @Override
  public String toString() {
    return "SharedFrame(" + utf8.length + " bytes)";
  }
}
