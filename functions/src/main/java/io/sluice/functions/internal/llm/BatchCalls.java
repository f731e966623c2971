package io.sluice.functions.internal.llm;

import io.sluice.avro.InferenceRequest;
import io.sluice.functions.ItemResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** What the vLLM functions share about one backend call serving several items of a batch. */
final class BatchCalls {
  private BatchCalls() {}

  /**
   * The earliest deadline of the items a call serves, which cuts the call; null if none has one.
   */
  static Instant earliestDeadline(List<InferenceRequest> requests, List<Integer> indexes) {
    return indexes.stream()
        .map(i -> requests.get(i).getDeadlineMs())
        .filter(Objects::nonNull)
        .min(Instant::compareTo)
        .orElse(null);
  }

  /** Each item's result, in order, once its call is done; a call's failure is its items'. */
  static List<ItemResult> join(List<CompletableFuture<ItemResult>> results)
      throws InterruptedException {
    List<ItemResult> out = new ArrayList<>(results.size());
    for (CompletableFuture<ItemResult> f : results) {
      try {
        out.add(f.get());
      } catch (ExecutionException e) {
        out.add(ItemResult.failure(e.getCause()));
      }
    }
    return out;
  }
}
