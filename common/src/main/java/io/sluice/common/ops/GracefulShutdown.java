package io.sluice.common.ops;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a process's parts in reverse order of registration when it is told to stop: on SIGTERM or
 * Ctrl-C (through a JVM shutdown hook) or by {@link #close()}. {@link #await()} lets {@code main}
 * block until then.
 *
 * <pre>{@code
 * GracefulShutdown shutdown = GracefulShutdown.installed("router");
 * shutdown.register("streams", streams);          // closed last
 * shutdown.register("management", management);    // closed first
 * shutdown.await();
 * }</pre>
 */
public final class GracefulShutdown implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

  private final String name;
  private final Deque<Named> parts = new ArrayDeque<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private boolean closed;

  private record Named(String name, AutoCloseable part) {}

  private GracefulShutdown(String name) {
    this.name = name;
  }

  /** A shutdown sequence run by a JVM shutdown hook (SIGTERM, SIGINT). */
  public static GracefulShutdown installed(String name) {
    GracefulShutdown s = new GracefulShutdown(name);
    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "sluice-shutdown-" + name));
    return s;
  }

  /** A shutdown sequence without a hook (tests, embedded use). */
  public static GracefulShutdown manual(String name) {
    return new GracefulShutdown(name);
  }

  /** Adds a part; parts are closed last-registered first. Returns the part. */
  public synchronized <T extends AutoCloseable> T register(String partName, T part) {
    parts.push(new Named(partName, part));
    return part;
  }

  /** Blocks until the sequence has run. */
  public void await() throws InterruptedException {
    done.await();
  }

  /** Blocks until the sequence has run or the timeout passes; true if it ran. */
  public boolean await(Duration timeout) throws InterruptedException {
    return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    log.info("{}: shutting down", name);
    long start = System.nanoTime();
    Named part;
    while ((part = poll()) != null) {
      try {
        part.part().close();
        log.debug("{}: closed {}", name, part.name());
      } catch (Exception e) {
        log.warn("{}: closing {} failed: {}", name, part.name(), e.toString());
      }
    }
    log.info("{}: stopped in {} ms", name, (System.nanoTime() - start) / 1_000_000);
    done.countDown();
  }

  private synchronized Named poll() {
    return parts.poll();
  }
}
