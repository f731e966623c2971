package io.sluice.functions.internal.llm;

import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.SamplingParams;
import io.sluice.avro.Usage;
import io.sluice.functions.Batch;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.FunctionException;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.internal.openai.OpenAiClient;
import io.sluice.functions.internal.openai.OpenAiClientConfig;
import io.sluice.functions.internal.openai.OpenAiTypes.ChatResult;
import io.sluice.functions.internal.openai.OpenAiTypes.Choice;
import io.sluice.functions.internal.openai.OpenAiTypes.CompletionsResult;
import io.sluice.functions.internal.openai.OpenAiTypes.Message;
import io.sluice.functions.internal.openai.OpenAiTypes.Sampling;
import io.sluice.functions.internal.openai.OpenAiTypes.TokenUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code llm}: chat and text completion on vLLM (or the simulator) through {@link OpenAiClient}.
 * Completion prompts with the same sampling parameters go in one {@code /v1/completions} call; chat
 * requests are concurrent {@code /v1/chat/completions} calls, streamed over SSE when the request
 * asked for a stream. For a batched completion call, vLLM reports usage for the whole call: each
 * item gets its share in proportion to its prompt and output length (documented as apportioned).
 * Failures are per item and already classified (see {@code BackendException}).
 */
public final class LlmFunction implements SluiceFunction {
  private OpenAiClient client;

  @Override
  public void open(FunctionContext context) {
    int timeoutMs = context.intParameter("backend-timeout-ms", 120_000);
    OpenAiClientConfig config =
        OpenAiClientConfig.defaults(
                context.backendUrl(),
                context.model(),
                Math.max(8, context.maxConcurrentBatches() * 64))
            .withApiKey(context.backendApiKey())
            // One attempt per call: the worker's per-item retry is the only retry layer, and each
            // call is cut at the earliest deadline of the requests it serves.
            .withTimeouts(Duration.ofMillis(timeoutMs), Duration.ofMillis(timeoutMs));
    client = new OpenAiClient(config);
  }

  /** For tests: a function on a given client. */
  public static LlmFunction on(OpenAiClient client) {
    LlmFunction f = new LlmFunction();
    f.client = client;
    return f;
  }

  @Override
  public List<ItemResult> apply(Batch batch) throws InterruptedException {
    List<InferenceRequest> requests = batch.requests();
    List<CompletableFuture<ItemResult>> results = new ArrayList<>(requests.size());
    Map<Sampling, List<Integer>> completionGroups = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      results.add(new CompletableFuture<>());
      InferenceRequest r = requests.get(i);
      if (r.getInput() instanceof CompletionInput c) {
        completionGroups.computeIfAbsent(sampling(c.getSampling()), k -> new ArrayList<>()).add(i);
      } else if (r.getInput() instanceof ChatInput chat) {
        // The slot is the call's own future, so nothing it throws can be lost.
        results.set(
            i, chat(batch, r, chat).handle((v, e) -> e == null ? v : ItemResult.failure(e)));
      } else {
        results
            .get(i)
            .complete(
                ItemResult.failure(
                    FunctionException.invalidInput("llm needs chat or completion input")));
      }
    }
    completionGroups.forEach(
        (sampling, indexes) -> {
          List<String> prompts =
              indexes.stream()
                  .map(i -> ((CompletionInput) requests.get(i).getInput()).getPrompt())
                  .toList();
          Instant deadline =
              indexes.stream()
                  .map(i -> requests.get(i).getDeadlineMs())
                  .filter(java.util.Objects::nonNull)
                  .min(Instant::compareTo)
                  .orElse(null);
          CompletableFuture<CompletionsResult> call =
              client.completions(prompts, sampling, deadline);
          for (int j = 0; j < indexes.size(); j++) {
            int choice = j;
            // Each slot derives from the one call, so a failure anywhere reaches its item.
            results.set(
                indexes.get(j),
                call.handle(
                    (res, err) -> {
                      if (err != null) {
                        return ItemResult.failure(err);
                      }
                      try {
                        Choice c = res.choices().get(choice);
                        return ItemResult.completion(
                            c.text(), c.finishReason(), share(res, prompts, choice));
                      } catch (RuntimeException e) {
                        return ItemResult.failure(e);
                      }
                    }));
          }
        });
    List<ItemResult> out = new ArrayList<>(results.size());
    for (CompletableFuture<ItemResult> f : results) {
      try {
        out.add(f.get());
      } catch (java.util.concurrent.ExecutionException e) {
        out.add(ItemResult.failure(e.getCause()));
      }
    }
    return out;
  }

  private CompletableFuture<ItemResult> chat(Batch batch, InferenceRequest r, ChatInput chat) {
    List<Message> messages =
        chat.getMessages().stream()
            .map(
                (ChatMessage m) ->
                    new Message(
                        m.getRole().name().toLowerCase(Locale.ROOT), m.getContent(), m.getName()))
            .toList();
    Sampling s = sampling(chat.getSampling());
    CompletableFuture<ChatResult> call =
        r.getStream()
            ? client.streamChat(
                messages, s, delta -> batch.chunks().chunk(r, delta), r.getDeadlineMs())
            : client.chat(messages, s, r.getDeadlineMs());
    return call.thenApply(c -> ItemResult.chat(c.content(), c.finishReason(), usage(c.usage())));
  }

  private static Sampling sampling(SamplingParams p) {
    if (p == null) {
      return Sampling.DEFAULT;
    }
    return new Sampling(
        p.getMaxTokens(), p.getTemperature(), p.getTopP(), p.getStop(), p.getSeed());
  }

  private static Usage usage(TokenUsage u) {
    return u == null ? null : ItemResult.usage(u.promptTokens(), u.completionTokens());
  }

  /** Item j's share of a batched call's usage, by prompt length and output length. */
  static Usage share(CompletionsResult res, List<String> prompts, int j) {
    TokenUsage u = res.usage();
    if (u == null) {
      return null;
    }
    if (prompts.size() == 1) {
      return usage(u);
    }
    long promptChars = Math.max(1, prompts.stream().mapToLong(String::length).sum());
    long outChars = Math.max(1, res.choices().stream().mapToLong(c -> c.text().length()).sum());
    int p = (int) Math.round(u.promptTokens() * (double) prompts.get(j).length() / promptChars);
    int c =
        (int)
            Math.round(
                u.completionTokens() * (double) res.choices().get(j).text().length() / outChars);
    return ItemResult.usage(p, c);
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
