package io.sluice.functions;

import io.sluice.avro.InferenceRequest;

/**
 * Where a streaming function sends partial output (token deltas) for requests that asked for a
 * stream ({@code InferenceRequest.stream}). Each call becomes a non-final reply chunk; the {@link
 * ItemResult} the function returns afterwards becomes the final chunk carrying the whole output.
 * Safe to call from any thread. A retried item may stream again from the start.
 */
@FunctionalInterface
public interface ChunkSink {
  /** Ignores every chunk; for functions called outside a worker (tests, tools). */
  ChunkSink NONE = (request, delta) -> {};

  /** Sends one text delta for {@code request}. */
  void chunk(InferenceRequest request, String delta);
}
