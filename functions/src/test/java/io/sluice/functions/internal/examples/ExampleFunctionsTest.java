package io.sluice.functions.internal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.functions.Batch;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.ItemResult;
import io.sluice.functions.internal.runtime.FailureClassifier;
import io.sluice.functions.worker.FunctionRegistry;
import io.sluice.schemas.ErrorCodes;
import java.util.List;
import java.util.Map;
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
}
