package io.sluice.router.batch;

import io.sluice.avro.FlushReason;
import io.sluice.avro.Priority;

/**
 * A flushed micro-batch whose requests are already Avro-encoded: the {@code InferenceBatch} fields
 * plus {@code requests}, the concatenated Avro binary encodings of {@code size} {@code
 * InferenceRequest}s in arrival order — exactly the items of the batch's {@code requests} array, so
 * the batch is written without encoding any request a second time.
 */
public record EncodedBatch(
    String batchId,
    String deployment,
    Priority priority,
    int size,
    byte[] requests,
    long firstArrivalMs,
    long flushedAtMs,
    FlushReason flushReason,
    int estimatedTokens) {}
