package io.sluice.functions.internal.runtime;

import io.sluice.schemas.SluiceHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * How much work one worker runs at once, and what a batch counts against it.
 *
 * <ul>
 *   <li>{@link #batches}: every batch counts one, {@code limit} batches at once; BULK batches take
 *       at most {@code limit - 1} (all when it is 1), so one slot stays free for interactive ones.
 *   <li>{@link #requests}: a batch counts its requests (the router's {@code sluice-batch-size}
 *       header), {@code limit} requests at once, as Ray Serve's {@code max_ongoing_requests} counts
 *       them. BULK batches take at most {@code limit - reserve} requests (all when that leaves
 *       none), so room for {@code reserve} interactive requests (one full batch) stays free. A
 *       model server that batches sequences itself (vLLM) is limited by the requests it runs, not
 *       by how they were grouped: counted in batches, twenty one-request interactive batches a
 *       second held as many slots as twenty full BULK ones, and a job beside them kept 0.59 of its
 *       rate (load-tests/README.md, "batch-vs-interactive").
 * </ul>
 *
 * <p>One batch larger than the limit still runs, alone.
 *
 * @param limit batches (or requests) in flight at once
 * @param countsRequests whether a batch counts its requests rather than one
 * @param bulkLimit the most of {@code limit} BULK batches may take
 * @param unknownSize what a batch without a readable size header counts (requests mode)
 */
public record Concurrency(int limit, boolean countsRequests, int bulkLimit, int unknownSize) {

  public Concurrency {
    if (limit < 1 || bulkLimit < 1 || bulkLimit > limit || unknownSize < 1) {
      throw new IllegalArgumentException(
          "limit " + limit + ", bulk limit " + bulkLimit + ", unknown size " + unknownSize);
    }
  }

  /** At most {@code maxBatches} batches at once, whatever their size. */
  public static Concurrency batches(int maxBatches) {
    return new Concurrency(maxBatches, false, Math.max(1, maxBatches - 1), 1);
  }

  /**
   * At most {@code maxRequests} requests at once; {@code maxBatchSize} (the deployment's {@code
   * batching.maxBatchSize}, or 0 when not known) is kept free of BULK work and is what a batch of
   * unknown size counts.
   */
  public static Concurrency requests(int maxRequests, int maxBatchSize) {
    int reserve = Math.max(1, Math.min(maxBatchSize, maxRequests));
    int bulk = maxRequests - reserve >= 1 ? maxRequests - reserve : maxRequests;
    return new Concurrency(maxRequests, true, bulk, reserve);
  }

  /**
   * The most threads a worker runs batches on. A batch counts at least one request, so up to {@code
   * limit} batches can be in flight; beyond this many, admitted batches wait in the pool's queue
   * for a thread (the manifest allows {@code maxOngoingRequests} up to 100,000).
   */
  static final int MAX_THREADS = 1024;

  /**
   * Threads to run batches on: as many as batches can be in flight, at most {@link #MAX_THREADS}.
   */
  public int threads() {
    return Math.min(limit, MAX_THREADS);
  }

  /** What the batch record counts against the limits: 1, or its requests (1..limit). */
  int cost(ConsumerRecord<byte[], byte[]> batch) {
    if (!countsRequests) {
      return 1;
    }
    String size = SluiceHeaders.get(batch.headers(), SluiceHeaders.BATCH_SIZE);
    int n = unknownSize;
    if (size != null) {
      try {
        n = Integer.parseInt(size);
      } catch (NumberFormatException e) {
        // not the router's: n stays unknownSize, a full batch
      }
    }
    return Math.max(1, Math.min(n, limit));
  }

  /** Whether a batch of {@code cost} may start beside {@code inflight}. */
  boolean fits(int cost, int inflight) {
    return inflight == 0 || inflight + cost <= limit;
  }

  /** Whether a BULK batch of {@code cost} may start beside {@code bulkInflight} BULK work. */
  boolean bulkFits(int cost, int bulkInflight) {
    return bulkInflight == 0 || bulkInflight + cost <= bulkLimit;
  }
}
