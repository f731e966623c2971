package io.sluice.functions.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with <em>equal</em> jitter (not full jitter): the delay before retry
 * {@code n} (1-based) is uniform in {@code [c/2, c]} where {@code c = min(initial*2^(n-1), max)}.
 * Half the delay is fixed so retries never hammer a backend that just said it is overloaded; the
 * random half spreads the retries of many workers apart.
 *
 * <pre>{@code
 * Backoff retry = new Backoff(3, Duration.ofMillis(200), Duration.ofSeconds(5));
 * retry.delayMs(1); // 100..200 ms
 * retry.delayMs(2); // 200..400 ms
 * retry.delayMs(2, 1_000); // a server's Retry-After of 1 s wins: 1000 ms
 * }</pre>
 *
 * @param maxAttempts total tries including the first (1 = no retry)
 * @param initial the ceiling of the first retry's delay
 * @param max the ceiling of any delay, a server's Retry-After included
 */
public record Backoff(int maxAttempts, Duration initial, Duration max) {
  public Backoff {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (initial.isNegative() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 <= initial <= max");
    }
  }

  /** No retries at all. */
  public static Backoff none() {
    return new Backoff(1, Duration.ZERO, Duration.ZERO);
  }

  /** The jittered delay before retry number {@code retry} (1 = first retry), in ms. */
  public long delayMs(int retry) {
    long initialMs = initial.toMillis();
    long maxMs = max.toMillis();
    int shift = Math.min(Math.max(retry - 1, 0), 30);
    long ceiling = Math.min(maxMs, initialMs << shift);
    if (ceiling <= 1) {
      return ceiling;
    }
    long half = ceiling / 2;
    return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
  }

  /** Like {@link #delayMs} but at least {@code floorMs} (a server's Retry-After), still capped. */
  public long delayMs(int retry, long floorMs) {
    return Math.min(max.toMillis(), Math.max(delayMs(retry), floorMs));
  }
}
