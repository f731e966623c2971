package io.sluice.functions.internal.llm;

import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.CompletionOutput;
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
 * Completion prompts with the same sampling parameters go in one {@code /v1/completions} call (a
 * request with a list of prompts adds all of them, and gets n choices per prompt back); chat
 * requests are concurrent {@code /v1/chat/completions} calls, streamed over SSE when the request
 * asked for a stream. {@code n} and the pass-through parameters ({@code SamplingParams.extra}) are
 * sent to vLLM as they are; every choice, tool call and logprobs come back in the output's {@code
 * choices}. For a batched completion call, vLLM reports usage for the whole call: each item gets
 * its share in proportion to its prompt and output length (documented as apportioned). Failures are
 * per item and already classified (see {@code BackendException}).
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
      try {
        if (r.getInput() instanceof CompletionInput c) {
          completionGroups
              .computeIfAbsent(sampling(c.getSampling()), k -> new ArrayList<>())
              .add(i);
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
      } catch (FunctionException e) {
        results.get(i).complete(ItemResult.failure(e));
      }
    }
    completionGroups.forEach(
        (sampling, indexes) -> completions(requests, results, sampling, indexes));
    return BatchCalls.join(results);
  }

  /**
   * One {@code /v1/completions} call for the requests of a group (same sampling): every prompt of
   * every request in order, n choices each; request k gets its slice of the choices, renumbered as
   * OpenAI numbers them for that request alone (its prompt i, sample j at i × n + j).
   */
  private void completions(
      List<InferenceRequest> requests,
      List<CompletableFuture<ItemResult>> results,
      Sampling sampling,
      List<Integer> indexes) {
    List<String> prompts = new ArrayList<>();
    int[] first = new int[indexes.size()];
    int[] count = new int[indexes.size()];
    for (int j = 0; j < indexes.size(); j++) {
      List<String> own = prompts((CompletionInput) requests.get(indexes.get(j)).getInput());
      first[j] = prompts.size();
      count[j] = own.size();
      prompts.addAll(own);
    }
    Instant deadline = BatchCalls.earliestDeadline(requests, indexes);
    CompletableFuture<CompletionsResult> call = client.completions(prompts, sampling, deadline);
    int n = sampling.choicesPerPrompt();
    for (int j = 0; j < indexes.size(); j++) {
      int from = first[j] * n;
      int to = (first[j] + count[j]) * n;
      List<String> own = prompts.subList(first[j], first[j] + count[j]);
      // Each slot derives from the one call, so a failure anywhere reaches its item.
      results.set(
          indexes.get(j),
          call.handle(
              (res, err) -> {
                if (err != null) {
                  return ItemResult.failure(err);
                }
                try {
                  List<Choice> mine = res.choices().subList(from, to);
                  return new ItemResult.Success(
                      completionOutput(mine), share(res, prompts, own, from, to));
                } catch (RuntimeException e) {
                  return ItemResult.failure(e);
                }
              }));
    }
  }

  /** A completion request's prompts: its list, or its one prompt. */
  static List<String> prompts(CompletionInput c) {
    return c.getPrompts().isEmpty() ? List.of(c.getPrompt()) : c.getPrompts();
  }

  private static CompletionOutput completionOutput(List<Choice> choices) {
    Choice c0 = choices.get(0);
    CompletionOutput.Builder b =
        CompletionOutput.newBuilder().setText(c0.text()).setFinishReason(c0.finishReason());
    if (choices.size() > 1 || choices.stream().anyMatch(Choice::hasExtras)) {
      b.setChoices(avroChoices(choices));
    }
    return b.build();
  }

  private static List<io.sluice.avro.Choice> avroChoices(List<Choice> choices) {
    List<io.sluice.avro.Choice> out = new ArrayList<>(choices.size());
    for (int i = 0; i < choices.size(); i++) {
      Choice c = choices.get(i);
      out.add(
          io.sluice.avro.Choice.newBuilder()
              .setIndex(i)
              .setText(c.text())
              .setFinishReason(c.finishReason())
              .setToolCalls(c.toolCalls())
              .setLogprobs(c.logprobs())
              .build());
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
    return call.thenApply(
        c -> {
          ChatMessage m =
              ChatMessage.newBuilder().setRole(ChatRole.ASSISTANT).setContent(c.content()).build();
          ChatOutput out =
              ChatOutput.newBuilder()
                  .setMessage(m)
                  .setFinishReason(c.finishReason())
                  .setChoices(avroChoices(c.choices()))
                  .build();
          return new ItemResult.Success(out, usage(c.usage()));
        });
  }

  /** Parameters the request may not set through {@code extra}: the call's own fields. */
  private static final java.util.Set<String> RESERVED =
      java.util.Set.of("model", "messages", "prompt", "stream", "stream_options", "n");

  /**
   * The call's sampling; a pass-through parameter that is not JSON or names one of the call's own
   * fields (a producer that bypassed the bridge's checks) is the item's {@code invalid_input}.
   */
  private static Sampling sampling(SamplingParams p) {
    if (p == null) {
      return Sampling.DEFAULT;
    }
    Map<String, String> extra = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : p.getExtra().entrySet()) {
      if (RESERVED.contains(e.getKey())) {
        throw FunctionException.invalidInput(
            "parameter '" + e.getKey() + "' cannot be passed through");
      }
      try {
        OpenAiClient.extraValue(e.getKey(), e.getValue());
      } catch (IllegalArgumentException bad) {
        throw FunctionException.invalidInput(bad.getMessage());
      }
      extra.put(e.getKey(), e.getValue());
    }
    Integer n = p.getN();
    if (n != null && n < 1) {
      throw FunctionException.invalidInput("n must be at least 1");
    }
    return new Sampling(
        p.getMaxTokens(), p.getTemperature(), p.getTopP(), p.getStop(), p.getSeed(), n, extra);
  }

  private static Usage usage(TokenUsage u) {
    return u == null ? null : ItemResult.usage(u.promptTokens(), u.completionTokens());
  }

  /**
   * A request's share of a batched call's usage, by the length of its prompts ({@code own}, among
   * all {@code prompts}) and of its choices {@code [from, to)}; the whole usage when it is alone.
   */
  static Usage share(
      CompletionsResult res, List<String> prompts, List<String> own, int from, int to) {
    TokenUsage u = res.usage();
    if (u == null) {
      return null;
    }
    if (own.size() == prompts.size()) {
      return usage(u);
    }
    long promptChars = Math.max(1, prompts.stream().mapToLong(String::length).sum());
    long outChars = Math.max(1, res.choices().stream().mapToLong(c -> c.text().length()).sum());
    long ownPrompt = own.stream().mapToLong(String::length).sum();
    long ownOut = res.choices().subList(from, to).stream().mapToLong(c -> c.text().length()).sum();
    int p = (int) Math.round(u.promptTokens() * (double) ownPrompt / promptChars);
    int c = (int) Math.round(u.completionTokens() * (double) ownOut / outChars);
    return ItemResult.usage(p, c);
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
