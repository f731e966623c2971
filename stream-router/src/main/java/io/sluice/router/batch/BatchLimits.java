package io.sluice.router.batch;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.Priority;
import io.sluice.schemas.BulkWait;

/**
 * Micro-batching limits of one deployment: flush at {@code maxBatchSize} requests, {@code
 * maxWaitMs} after the first request ({@code 0} = no waiting), or at {@code maxBatchTokens}
 * estimated tokens ({@code null} = no token budget), whichever comes first. BULK batches wait
 * {@code bulkMaxWaitMs} instead of {@code maxWaitMs}, by default the larger of {@code maxWaitMs}
 * and 100 ms ({@link BulkWait}): batch jobs' lines arrive as a trickle and can wait to fill a
 * batch.
 */
public record BatchLimits(
    int maxBatchSize, long maxWaitMs, Integer maxBatchTokens, long bulkMaxWaitMs) {
  public BatchLimits {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be at least 1: " + maxBatchSize);
    }
    if (maxWaitMs < 0) {
      throw new IllegalArgumentException("maxWaitMs must be 0 or more: " + maxWaitMs);
    }
    if (maxBatchTokens != null && maxBatchTokens < 1) {
      throw new IllegalArgumentException("maxBatchTokens must be at least 1: " + maxBatchTokens);
    }
    if (bulkMaxWaitMs < 0) {
      throw new IllegalArgumentException("bulkMaxWaitMs must be 0 or more: " + bulkMaxWaitMs);
    }
  }

  /** Limits whose BULK wait is the default for {@code maxWaitMs} ({@link BulkWait#resolve}). */
  public BatchLimits(int maxBatchSize, long maxWaitMs, Integer maxBatchTokens) {
    this(maxBatchSize, maxWaitMs, maxBatchTokens, BulkWait.resolve(maxWaitMs, null));
  }

  public static BatchLimits of(BatchingSettings s) {
    return new BatchLimits(
        s.getMaxBatchSize(),
        s.getMaxWaitMs(),
        s.getMaxBatchTokens(),
        BulkWait.resolve(s.getMaxWaitMs(), s.getBulkMaxWaitMs()));
  }

  /** How long a batch of this priority waits after its first request: BULK ones wait longer. */
  public long maxWaitMs(Priority priority) {
    return priority == Priority.BULK ? bulkMaxWaitMs : maxWaitMs;
  }
}
