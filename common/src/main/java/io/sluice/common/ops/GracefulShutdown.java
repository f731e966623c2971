package io.sluice.common.ops;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
 *
 * <p>With {@link #installed} the JVM itself ends the process after a SIGTERM, with status 143 (128
 * + 15) whatever {@code main} returns; {@link #onSignals} handles SIGTERM instead, so the process
 * exits with the status {@code main} returns (0 after a graceful stop).
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

  /**
   * A shutdown sequence that SIGTERM runs without ending the JVM: the handler closes the parts (on
   * a thread of its own, so the signal dispatcher is free), {@link #await} returns, and the process
   * exits with whatever {@code main} then returns, 0 after a graceful stop, where the JVM's own
   * handling would exit 143. SIGINT (Ctrl-C) and {@code System.exit} still run it through the
   * shutdown hook. The caller's {@code main} must return (or exit) once {@link #await} returns.
   *
   * <p>The signal API is {@code sun.misc.Signal} (module {@code jdk.unsupported}), used through
   * reflection as Kafka's {@code LoggingSignalHandler} does; where it is missing (a runtime image
   * without that module) this is {@link #installed}, and a SIGTERM exits 143.
   */
  public static GracefulShutdown onSignals(String name) {
    GracefulShutdown s = installed(name);
    try {
      handleTerm(
          () -> {
            Thread t = new Thread(s::close, "sluice-sigterm-" + name);
            t.start();
          });
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      log.warn("{}: cannot handle SIGTERM ({}); it will exit 143 after shutting down", name, e);
    }
    return s;
  }

  private static void handleTerm(Runnable onTerm) throws ReflectiveOperationException {
    Class<?> signal = Class.forName("sun.misc.Signal");
    Class<?> handler = Class.forName("sun.misc.SignalHandler");
    Object term = signal.getConstructor(String.class).newInstance("TERM");
    Object proxy =
        Proxy.newProxyInstance(
            GracefulShutdown.class.getClassLoader(),
            new Class<?>[] {handler},
            (self, method, args) ->
                switch (method.getName()) {
                  case "handle" -> {
                    onTerm.run();
                    yield null;
                  }
                  case "hashCode" -> System.identityHashCode(self);
                  case "equals" -> self == args[0];
                  case "toString" -> "sluice SIGTERM handler";
                  default -> throw new UnsupportedOperationException(method.getName());
                });
    try {
      signal.getMethod("handle", signal, handler).invoke(null, term, proxy);
    } catch (InvocationTargetException e) {
      // IllegalArgumentException: the JVM was started with -Xrs, or TERM is taken.
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
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
