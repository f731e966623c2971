package io.sluice.loadtest.entry;

import io.sluice.loadtest.generator.LoadRequest;
import io.sluice.loadtest.generator.Reply;
import io.sluice.loadtest.generator.Target;
import java.util.concurrent.CompletableFuture;

/**
 * STUB: the batch-job entry path. The bridge has no batch-job API yet (no endpoint that takes a
 * file or list of inputs as one job); it has asynchronous single requests ({@code Prefer:
 * respond-async} plus {@code GET /v1/requests/{id}}), which {@link HttpTarget} drives with {@code
 * --entry http-async}. Creating this target fails with that explanation rather than pretending to
 * measure something.
 */
public final class BatchJobTarget implements Target {
  public static final String NOT_AVAILABLE =
      "--entry batch: the bridge has no batch-job API yet; use --entry http-async for its"
          + " asynchronous single requests, or --entry kafka (batch jobs write the same request"
          + " records to the same topic)";

  private BatchJobTarget() {}

  /** Always throws: there is no batch-job API to drive. */
  // Called on purpose: --entry is a run-time flag, so the refusal and its message are run-time.
  @SuppressWarnings("DoNotCallSuggester")
  public static BatchJobTarget create() {
    throw new UnsupportedOperationException(NOT_AVAILABLE);
  }

  @Override
  public CompletableFuture<Reply> send(LoadRequest request) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException(NOT_AVAILABLE));
  }

  @Override
  public String describe() {
    return "batch (not available)";
  }

  @Override
  public void close() {}
}
