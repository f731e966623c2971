package io.sluice.loadtest.generator;

/**
 * The generator's notion of time, so the open-loop schedule can be tested deterministically with a
 * fake clock instead of timed assertions.
 */
public interface NanoClock {
  /** Monotonic nanoseconds, like {@link System#nanoTime()}. */
  long nanoTime();

  /** Waits up to {@code nanos} (a fake clock simply advances). */
  void park(long nanos);

  /** Wakes a thread waiting in {@link #park(long)} early (a reply freed a concurrency slot). */
  void unpark(Thread waiter);

  /** The system clock. */
  NanoClock SYSTEM =
      new NanoClock() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void park(long nanos) {
          java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        }

        @Override
        public void unpark(Thread waiter) {
          java.util.concurrent.locks.LockSupport.unpark(waiter);
        }
      };
}
