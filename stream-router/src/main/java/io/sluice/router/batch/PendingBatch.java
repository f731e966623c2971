package io.sluice.router.batch;

import io.sluice.avro.Priority;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A batch being filled: the Avro encodings of its requests, concatenated in arrival order (the
 * value of its one entry in the buffer store), and per request what a flush needs without decoding
 * it again: where it ends, its deadline and its token estimate.
 */
final class PendingBatch {
  final String bufferKey;
  final String deployment;
  final Priority priority;
  final String batchId;
  final long firstArrivalMs;

  /**
   * When the batch's wait began: its first request's routing (the intake's clock), never later than
   * its arrival here. {@code maxWaitMs} counts from this.
   */
  final long waitFromMs;

  /** Key of the batch's entry in the buffer store. */
  final String storeKey;

  /** Store entries a restored batch was read from, deleted when it is flushed. */
  final List<String> restoredKeys = new ArrayList<>();

  /** Key in the pending map: the buffer key, or the store key for restored batches. */
  String mapKey;

  BatchLimits limits;
  int tokens;

  final ByteArrayOutputStream out = new ByteArrayOutputStream(512);

  /** The bytes last written to the store: all requests so far. */
  byte[] body = new byte[0];

  private int size;
  private int[] ends = new int[8];
  private long[] deadlines = new long[8];
  private int[] tokenCounts = new int[8];
  private long earliestDeadline = Long.MAX_VALUE;

  PendingBatch(
      String bufferKey,
      String deployment,
      Priority priority,
      String batchId,
      long firstArrivalMs,
      long waitFromMs,
      BatchLimits limits) {
    this.bufferKey = bufferKey;
    this.deployment = deployment;
    this.priority = priority;
    this.batchId = batchId;
    this.firstArrivalMs = firstArrivalMs;
    this.waitFromMs = Math.min(waitFromMs, firstArrivalMs);
    this.limits = limits;
    this.storeKey = bufferKey + "/" + batchId;
    this.mapKey = bufferKey;
  }

  int size() {
    return size;
  }

  /** Records the request just encoded into {@link #out}; returns the new store value. */
  byte[] appended(long deadlineMs, int requestTokens) {
    if (size == ends.length) {
      ends = Arrays.copyOf(ends, size * 2);
      deadlines = Arrays.copyOf(deadlines, size * 2);
      tokenCounts = Arrays.copyOf(tokenCounts, size * 2);
    }
    ends[size] = out.size();
    deadlines[size] = deadlineMs;
    tokenCounts[size] = requestTokens;
    size++;
    tokens += requestTokens;
    earliestDeadline = Math.min(earliestDeadline, deadlineMs);
    body = out.toByteArray();
    return body;
  }

  boolean anyExpired(long nowMs) {
    return earliestDeadline <= nowMs;
  }

  boolean expired(int i, long nowMs) {
    return deadlines[i] <= nowMs;
  }

  int start(int i) {
    return i == 0 ? 0 : ends[i - 1];
  }

  int end(int i) {
    return ends[i];
  }

  int tokens(int i) {
    return tokenCounts[i];
  }
}
