package io.sluice.router.batch;

import io.sluice.avro.BatchingSettings;

/**
 * Micro-batching limits of one deployment: flush at {@code maxBatchSize} requests, {@code
 * maxWaitMs} after the first request ({@code 0} = no waiting), or at {@code maxBatchTokens}
 * estimated tokens ({@code null} = no token budget), whichever comes first.
 */
public record BatchLimits(int maxBatchSize, long maxWaitMs, Integer maxBatchTokens) {
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
  }

  public static BatchLimits of(BatchingSettings s) {
    return new BatchLimits(s.getMaxBatchSize(), s.getMaxWaitMs(), s.getMaxBatchTokens());
  }
}
