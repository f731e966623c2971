package io.sluice.functions.internal.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.functions.Batch;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.FunctionException;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.internal.openai.OpenAiClient;
import io.sluice.functions.internal.openai.OpenAiClientConfig;
import io.sluice.functions.internal.openai.OpenAiTypes.EmbeddingsResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code embeddings}: text embeddings on vLLM's {@code /v1/embeddings} (an embedding model, {@code
 * vllm serve --task embed}) or the simulator. Input is the bridge's {@code JsonInput} {@code
 * {"input": ["text", ...], "encoding_format": "float"|"base64", "dimensions": N?}}; output is
 * {@code {"embeddings": [vector, ...]}} in input order (a vector is a float array, or a base64
 * string of little-endian float32 when asked), with the prompt tokens as usage. The inputs of all
 * requests of a batch that ask for the same format and dimensions go in one call; vLLM reports
 * usage per call, so each request gets its share by input length (apportioned, as {@code llm} does
 * for completions).
 */
public final class EmbeddingsFunction implements SluiceFunction {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OpenAiClient client;

  /** One request's ask. */
  private record Ask(List<String> inputs, String format, Integer dimensions) {}

  /** What requests may share one call. */
  private record CallKey(String format, Integer dimensions) {}

  @Override
  public void open(FunctionContext context) {
    int timeoutMs = context.intParameter("backend-timeout-ms", 120_000);
    client =
        new OpenAiClient(
            OpenAiClientConfig.defaults(
                    context.backendUrl(),
                    context.model(),
                    Math.max(8, context.maxConcurrentBatches() * 8))
                .withApiKey(context.backendApiKey())
                .withTimeouts(Duration.ofMillis(timeoutMs), Duration.ofMillis(timeoutMs)));
  }

  /** For tests: a function on a given client. */
  public static EmbeddingsFunction on(OpenAiClient client) {
    EmbeddingsFunction f = new EmbeddingsFunction();
    f.client = client;
    return f;
  }

  @Override
  public List<ItemResult> apply(Batch batch) throws InterruptedException {
    List<InferenceRequest> requests = batch.requests();
    List<CompletableFuture<ItemResult>> results = new ArrayList<>(requests.size());
    Map<CallKey, List<Integer>> groups = new LinkedHashMap<>();
    List<Ask> asks = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      results.add(new CompletableFuture<>());
      try {
        Ask a = ask(requests.get(i));
        asks.add(a);
        groups
            .computeIfAbsent(new CallKey(a.format(), a.dimensions()), k -> new ArrayList<>())
            .add(i);
      } catch (FunctionException e) {
        asks.add(null);
        results.get(i).complete(ItemResult.failure(e));
      }
    }
    groups.forEach(
        (key, indexes) -> {
          List<String> inputs = new ArrayList<>();
          for (int i : indexes) {
            inputs.addAll(asks.get(i).inputs());
          }
          Instant deadline = BatchCalls.earliestDeadline(requests, indexes);
          CompletableFuture<EmbeddingsResult> call =
              client.embeddings(inputs, key.format(), key.dimensions(), deadline);
          long allChars = Math.max(1, inputs.stream().mapToLong(String::length).sum());
          int from = 0;
          for (int i : indexes) {
            List<String> own = asks.get(i).inputs();
            int start = from;
            int end = from + own.size();
            long ownChars = own.stream().mapToLong(String::length).sum();
            from = end;
            results.set(
                i,
                call.handle(
                    (res, err) -> {
                      if (err != null) {
                        return ItemResult.failure(err);
                      }
                      ObjectNode out = JSON.createObjectNode();
                      ArrayNode vectors = out.putArray("embeddings");
                      res.embeddings().subList(start, end).forEach(vectors::add);
                      int tokens =
                          own.size() == inputs.size()
                              ? res.promptTokens()
                              : (int) Math.round(res.promptTokens() * (double) ownChars / allChars);
                      return new ItemResult.Success(
                          io.sluice.avro.JsonOutput.newBuilder().setJson(out.toString()).build(),
                          ItemResult.usage(tokens, 0));
                    }));
          }
        });
    return BatchCalls.join(results);
  }

  /** A request's inputs, format and dimensions; anything else is its {@code invalid_input}. */
  static Ask ask(InferenceRequest r) {
    if (!(r.getInput() instanceof JsonInput j)) {
      throw FunctionException.invalidInput(
          "embeddings needs {\"input\": [text, ...]} (POST /v1/embeddings)");
    }
    JsonNode doc;
    try {
      doc = JSON.readTree(j.getJson());
    } catch (JsonProcessingException e) {
      throw FunctionException.invalidInput("embeddings input is not JSON");
    }
    JsonNode input = doc.path("input");
    List<String> inputs = new ArrayList<>();
    if (input.isTextual()) {
      inputs.add(input.asText());
    } else if (input.isArray() && !input.isEmpty()) {
      for (JsonNode x : input) {
        if (!x.isTextual()) {
          throw FunctionException.invalidInput("embeddings 'input' must be strings");
        }
        inputs.add(x.asText());
      }
    } else {
      throw FunctionException.invalidInput("embeddings needs a non-empty 'input'");
    }
    String format = doc.path("encoding_format").asText("float");
    if (!format.equals("float") && !format.equals("base64")) {
      throw FunctionException.invalidInput("encoding_format must be float or base64");
    }
    JsonNode d = doc.get("dimensions");
    Integer dimensions = null;
    if (d != null && !d.isNull()) {
      if (!d.canConvertToInt() || d.asInt() < 1) {
        throw FunctionException.invalidInput("dimensions must be a positive integer");
      }
      dimensions = d.asInt();
    }
    return new Ask(inputs, format, dimensions);
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
