package io.foyer.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (nodes, server processes, clients), closed after it in reverse order: clients before the
 * nodes they talk to. One that fails to close does not keep the others open.
 */
public final class Opened implements AutoCloseable {

  private final List<AutoCloseable> opened = new ArrayList<>();

  public <T extends AutoCloseable> T track(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    opened.clear();
    if (first != null) {
      throw first;
    }
  }
}
