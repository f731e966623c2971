package io.sluice.functions;

import java.util.List;

/**
 * A model or a piece of business logic served by Sluice workers: it receives a micro-batch of typed
 * requests and returns one {@link ItemResult} per request, in the same order. A failure is per item
 * (as AWS Lambda's Kafka trigger reports {@code batchItemFailures}): one bad input never fails its
 * neighbours.
 *
 * <p>Lifecycle, per worker process: {@link #open} once (load the model, build clients), then {@link
 * #apply} for every batch — concurrently from several threads when the deployment allows more than
 * one batch in flight — {@link #health} on every readiness probe, and {@link #close} once on
 * shutdown, after in-flight batches have drained.
 *
 * <p>The runtime does the rest: it drops requests whose deadline passed before calling {@code
 * apply}, retries items that failed with a retriable error (see {@link FunctionException}) with
 * capped exponential backoff, and turns items that still fail into an error reply plus a dead
 * letter.
 *
 * <p>Example, a function that upper-cases JSON text, registered under the name {@code upper}:
 *
 * <pre>{@code
 * public final class Upper implements SluiceFunction {
 *   public List<ItemResult> apply(Batch batch) {
 *     return batch.map(request -> {
 *       String text = Batch.text(request);
 *       if (text.isEmpty()) {
 *         throw FunctionException.invalidInput("empty text");
 *       }
 *       return ItemResult.json("{\"upper\":\"" + text.toUpperCase() + "\"}");
 *     });
 *   }
 * }
 *
 * public final class UpperProvider implements FunctionProvider {
 *   public String name() { return "upper"; }
 *   public SluiceFunction create() { return new Upper(); }
 * }
 * // META-INF/services/io.sluice.functions.FunctionProvider contains: com.example.UpperProvider
 * // and the deployment runs it with SLUICE_WORKER_FUNCTION=upper
 * }</pre>
 */
public interface SluiceFunction extends AutoCloseable {

  /**
   * Called once per process before the first batch: load the model here, not per batch.
   *
   * @throws Exception if the function cannot start; the worker then fails to start
   */
  default void open(FunctionContext context) throws Exception {}

  /**
   * Runs a batch. Must return exactly one result per request of {@code batch}, in order. Throwing
   * instead fails every item of the batch with that exception (classified as for {@link
   * ItemResult#failure}).
   */
  List<ItemResult> apply(Batch batch) throws Exception;

  /** Called on readiness probes; cheap and non-blocking. Up by default. */
  default FunctionHealth health() {
    return FunctionHealth.UP;
  }

  /**
   * Called once on shutdown after in-flight batches finished or the grace period ended. Unchecked
   * exceptions are logged, not propagated.
   */
  @Override
  default void close() {}
}
