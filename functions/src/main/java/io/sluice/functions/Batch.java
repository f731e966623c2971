package io.sluice.functions;

import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The requests a function runs at once: a micro-batch built by the router, minus the requests whose
 * deadline already passed, or, on a retry, the items that failed retriably.
 *
 * @param batchId the router's batch id
 * @param deployment the deployment being served
 * @param requests the requests, in arrival order; results must follow this order
 * @param attempt 1 on the first try, then 2, 3... for retried items
 * @param chunks where streaming output goes (see {@link ChunkSink})
 */
public record Batch(
    String batchId,
    String deployment,
    List<InferenceRequest> requests,
    int attempt,
    ChunkSink chunks) {

  public Batch {
    requests = List.copyOf(requests);
  }

  /** A batch outside a worker (tests, tools): first attempt, no streaming. */
  public static Batch of(String deployment, List<InferenceRequest> requests) {
    return new Batch("local", deployment, requests, 1, ChunkSink.NONE);
  }

  public int size() {
    return requests.size();
  }

  /**
   * The earliest deadline among the requests, or null if none has one. Bound slow work by it (a
   * backend call's timeout, say): after it the caller has gone, and the runtime answers an item
   * that fails after its deadline with {@code deadline_exceeded} and does not retry it.
   */
  public java.time.Instant deadline() {
    java.time.Instant earliest = null;
    for (InferenceRequest r : requests) {
      java.time.Instant d = r.getDeadlineMs();
      if (d != null && (earliest == null || d.isBefore(earliest))) {
        earliest = d;
      }
    }
    return earliest;
  }

  /**
   * Maps each request independently; an exception thrown for one request becomes that item's {@link
   * ItemResult#failure}, the others are unaffected.
   */
  public List<ItemResult> map(Function<InferenceRequest, ItemResult> perItem) {
    List<ItemResult> out = new ArrayList<>(requests.size());
    for (InferenceRequest r : requests) {
      try {
        out.add(perItem.apply(r));
      } catch (RuntimeException e) {
        out.add(ItemResult.failure(e));
      }
    }
    return out;
  }

  /**
   * The text of a request, whatever its input type: a completion's prompt, the last user message of
   * a chat, or for JSON input the raw JSON text. Empty if there is no input.
   */
  public static String text(InferenceRequest request) {
    Object input = request.getInput();
    if (input instanceof CompletionInput c) {
      return c.getPrompt();
    }
    if (input instanceof ChatInput chat) {
      List<ChatMessage> messages = chat.getMessages();
      for (int i = messages.size() - 1; i >= 0; i--) {
        if (messages.get(i).getRole() == io.sluice.avro.ChatRole.USER) {
          return messages.get(i).getContent();
        }
      }
      return messages.isEmpty() ? "" : messages.get(messages.size() - 1).getContent();
    }
    if (input instanceof JsonInput json) {
      return json.getJson();
    }
    return "";
  }
}
