package io.sluice.functions.internal.runtime;

import io.sluice.avro.InferenceRequest;
import io.sluice.functions.Batch;
import io.sluice.functions.FunctionException;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import io.sluice.schemas.ErrorCodes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test function that records what it saw. Input text decides the outcome: {@code poison} fails
 * permanently, {@code flaky} fails retriably on the first attempt, anything else echoes. When a
 * gate is set, every batch waits for it (to hold work in flight).
 */
final class RecordingFunction implements SluiceFunction {
  final Set<String> seen = ConcurrentHashMap.newKeySet();
  final AtomicInteger batches = new AtomicInteger();
  final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch gate;

  RecordingFunction(CountDownLatch gate) {
    this.gate = gate;
  }

  RecordingFunction() {
    this(null);
  }

  @Override
  public List<ItemResult> apply(Batch batch) throws InterruptedException {
    batches.incrementAndGet();
    entered.countDown();
    if (gate != null) {
      gate.await();
    }
    return batch.map(
        (InferenceRequest r) -> {
          seen.add(r.getRequestId());
          String text = Batch.text(r);
          if (text.contains("poison")) {
            throw FunctionException.invalidInput("poisoned input");
          }
          if (text.contains("flaky") && batch.attempt() == 1) {
            throw FunctionException.retriable(ErrorCodes.BACKEND_UNAVAILABLE, "flaky", null);
          }
          return ItemResult.json("{\"echo\":" + text + "}");
        });
  }
}
