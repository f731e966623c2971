package io.sluice.functions.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with full jitter: the delay before retry {@code n} (1-based) is
 * uniform in {@code [initial*2^(n-1)/2, initial*2^(n-1)]}, never above {@code max}. Half the delay
 * is fixed so retries never hammer a backend that just said it is overloaded.
 *
 * @param maxAttempts total tries including the first (1 = no retry)
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
