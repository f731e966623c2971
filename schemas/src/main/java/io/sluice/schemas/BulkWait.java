package io.sluice.schemas;

/**
 * How long a BULK micro-batch waits for more requests: a deployment's {@code
 * batching.bulkMaxWaitMs} (the route table's {@code BatchingSettings.bulkMaxWaitMs}). The manifest,
 * the router and its route files all resolve and check it here, so the rule is written once.
 *
 * <p>Batch jobs keep a window of lines in flight, so their requests reach the router as a trickle
 * paced by the replies; flushed at an interactive {@code maxWaitMs} of a few milliseconds, BULK
 * batches hold one or two requests each, and every batch costs the worker a record, a commit and an
 * ack. BULK requests can wait: by default a BULK batch waits at least {@link #DEFAULT_FLOOR_MS}.
 *
 * <pre>{@code
 * long wait = BulkWait.resolve(5, null); // 100: the deployment's maxWaitMs is 5 ms
 * String why = BulkWait.problem(20, 10); // "10 is less than maxWaitMs (20): ..."
 * }</pre>
 */
public final class BulkWait {
  /** When {@code bulkMaxWaitMs} is not set, a BULK batch waits at least this long (ms). */
  public static final long DEFAULT_FLOOR_MS = 100;

  /** The longest {@code bulkMaxWaitMs} allowed (ms), the bound of {@code maxWaitMs} too. */
  public static final long MAX_MS = 60_000;

  private BulkWait() {}

  /**
   * The wait of BULK batches: {@code bulkMaxWaitMs} when set, else the larger of {@code maxWaitMs}
   * and {@link #DEFAULT_FLOOR_MS}. So {@code maxWaitMs: 0} flushes interactive requests at once
   * while BULK ones still wait 100 ms; only {@code bulkMaxWaitMs: 0} flushes BULK at once.
   */
  public static long resolve(long maxWaitMs, Long bulkMaxWaitMs) {
    return bulkMaxWaitMs != null ? bulkMaxWaitMs : Math.max(maxWaitMs, DEFAULT_FLOOR_MS);
  }

  /**
   * Why a set {@code bulkMaxWaitMs} is refused beside {@code maxWaitMs}, or null when it is fine:
   * it must lie in {@code maxWaitMs..60000}. Below {@code maxWaitMs} it would make BULK batches
   * smaller than interactive ones, the opposite of what the key is for.
   */
  public static String problem(long maxWaitMs, long bulkMaxWaitMs) {
    if (bulkMaxWaitMs < 0 || bulkMaxWaitMs > MAX_MS) {
      return bulkMaxWaitMs + " is outside 0.." + MAX_MS;
    }
    if (bulkMaxWaitMs < maxWaitMs) {
      return bulkMaxWaitMs
          + " is less than maxWaitMs ("
          + maxWaitMs
          + "): BULK batches may not flush sooner than interactive ones; use at least "
          + maxWaitMs
          + ", or leave it out for the larger of maxWaitMs and "
          + DEFAULT_FLOOR_MS;
    }
    return null;
  }
}
