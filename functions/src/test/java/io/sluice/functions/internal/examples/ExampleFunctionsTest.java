package io.sluice.functions.internal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.SamplingParams;
import io.sluice.functions.Batch;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.FunctionException;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.internal.FailureClassifier;
import io.sluice.functions.internal.runtime.FunctionRegistry;
import io.sluice.functions.internal.simulator.SimulatorConfig;
import io.sluice.functions.internal.simulator.SimulatorServer;
import io.sluice.schemas.ErrorCodes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ExampleFunctionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static InferenceRequest json(String id, String json) {
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setInput(JsonInput.newBuilder().setJson(json).build())
        .build();
  }

  private static FunctionContext context(String url, Map<String, String> params) {
    return new FunctionContext("d", url, "", "", 2, params, new SimpleMeterRegistry());
  }

  private static JsonNode out(ItemResult r) throws Exception {
    return JSON.readTree(((JsonOutput) ((ItemResult.Success) r).output()).getJson());
  }

  @Test
  void theRegistryFindsEveryExampleByName() {
    FunctionRegistry registry = FunctionRegistry.load();
    assertThat(registry.names()).contains("llm", "preprocess", "sentiment", "summarize");
    assertThat(registry.create("sentiment")).isInstanceOf(SentimentFunction.class);
  }

  @Test
  void preprocessNormalisesTokenisesAndCounts() throws Exception {
    List<ItemResult> r =
        new PreprocessFunction()
            .apply(
                Batch.of(
                    "d",
                    List.of(
                        json("a", "{\"text\":\"  Ｈello,   hello\\tWORLD! Don't \"}"),
                        json("b", "{\"nope\":1}"))));
    JsonNode a = out(r.get(0));
    assertThat(a.get("normalized").asText()).isEqualTo("hello, hello world! don't");
    assertThat(a.get("tokenCount").asInt()).isEqualTo(4);
    assertThat(a.get("counts").get("hello").asInt()).isEqualTo(2);
    assertThat(a.get("tokens").get(3).asText()).isEqualTo("don't");
    assertThat(FailureClassifier.classify(((ItemResult.Failure) r.get(1)).error()).code())
        .isEqualTo(ErrorCodes.INVALID_INPUT);
  }

  @Test
  void sentimentScoresWithTheLexiconAndHandlesNegation() throws Exception {
    SentimentFunction f = new SentimentFunction();
    f.open(context("http://unused", Map.of()));
    List<ItemResult> r =
        f.apply(
            Batch.of(
                "d",
                List.of(
                    json("p", "\"The support was very helpful and the app is great\""),
                    json("n", "\"Terrible, slow and buggy. I want a refund\""),
                    json("neg", "\"This is not good\""),
                    json("z", "\"The meeting is on Tuesday\""))));
    assertThat(out(r.get(0)).get("label").asText()).isEqualTo("positive");
    assertThat(out(r.get(1)).get("label").asText()).isEqualTo("negative");
    assertThat(out(r.get(2)).get("label").asText()).isEqualTo("negative");
    assertThat(out(r.get(3)).get("label").asText()).isEqualTo("neutral");
    assertThat(out(r.get(1)).get("matched").asInt()).isEqualTo(3);
  }

  @Test
  void summarizeKeepsTheMostRepresentativeSentencesInOrder() throws Exception {
    SummarizeFunction f = new SummarizeFunction();
    f.open(context("http://unused", Map.of("sentences", "1")));
    String text =
        "Kafka stores events in topics. The weather was nice. "
            + "Workers read events from Kafka topics and answer them. Lunch was late.";
    JsonNode o =
        out(f.apply(Batch.of("d", List.of(json("s", JSON.writeValueAsString(text))))).get(0));
    assertThat(o.get("sentences")).hasSize(1);
    assertThat(o.get("summary").asText()).contains("Kafka");
  }

  @Test
  void llmBatchesCompletionsAndStreamsChatOnTheSimulator() throws Exception {
    try (SimulatorServer sim = SimulatorServer.start(SimulatorConfig.defaults(0))) {
      SluiceFunction f = new ExampleProviders.Llm().create();
      f.open(context(sim.baseUrl(), Map.of()));
      SamplingParams three = SamplingParams.newBuilder().setMaxTokens(3).build();
      InferenceRequest c1 =
          InferenceRequest.newBuilder()
              .setRequestId("c1")
              .setInput(
                  CompletionInput.newBuilder().setPrompt("red green").setSampling(three).build())
              .build();
      InferenceRequest c2 =
          InferenceRequest.newBuilder()
              .setRequestId("c2")
              .setInput(CompletionInput.newBuilder().setPrompt("blue").setSampling(three).build())
              .build();
      InferenceRequest chat =
          InferenceRequest.newBuilder()
              .setRequestId("chat")
              .setStream(true)
              .setInput(
                  ChatInput.newBuilder()
                      .setMessages(
                          List.of(
                              ChatMessage.newBuilder()
                                  .setRole(ChatRole.USER)
                                  .setContent("hi you")
                                  .build()))
                      .setSampling(SamplingParams.newBuilder().setMaxTokens(2).build())
                      .build())
              .build();
      InferenceRequest wrong = json("j", "{}");
      List<String> chunks = new CopyOnWriteArrayList<>();

      List<ItemResult> r =
          f.apply(
              new Batch(
                  "b", "d", List.of(c1, chat, c2, wrong), 1, (req, delta) -> chunks.add(delta)));
      f.close();

      CompletionOutput o1 = (CompletionOutput) ((ItemResult.Success) r.get(0)).output();
      assertThat(o1.getText()).isEqualTo("red green red");
      assertThat(((ItemResult.Success) r.get(0)).usage().getCompletionTokens()).isPositive();
      ChatOutput chatOut = (ChatOutput) ((ItemResult.Success) r.get(1)).output();
      assertThat(chatOut.getMessage().getContent()).isEqualTo("hi you");
      assertThat(chunks).containsExactly("hi", " you");
      assertThat(((CompletionOutput) ((ItemResult.Success) r.get(2)).output()).getText())
          .isEqualTo("blue blue blue");
      assertThat(((ItemResult.Failure) r.get(3)).error()).isInstanceOf(FunctionException.class);
    }
  }
}
