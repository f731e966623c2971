package io.sluice.functions.internal.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.sluice.functions.FunctionException;
import io.sluice.functions.ItemResult;
import io.sluice.functions.internal.openai.OpenAiClient;
import io.sluice.functions.internal.openai.OpenAiClientConfig;
import io.sluice.functions.worker.FunctionRegistry;
import io.sluice.schemas.ErrorCodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the {@code llm} and {@code embeddings} functions send vLLM for the rest of OpenAI's surface
 * (prompt lists, n, pass-through parameters, embeddings) and how they split its answer per request,
 * against a MockWebServer that plays vLLM.
 */
@Timeout(30)
class OpenAiSurfaceFunctionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MockWebServer server;
  private OpenAiClient client;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
    client =
        new OpenAiClient(
            OpenAiClientConfig.defaults(server.url("/").toString(), "m1", 4)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.shutdown();
  }

  @Test
  void promptListsAndNShareOneCallAndEachRequestGetsItsChoicesRenumbered() throws Exception {
    // Request a: prompts [a0, a1], request b: prompt b0; n = 2 for both: 6 choices in one call.
    SamplingParams two =
        SamplingParams.newBuilder()
            .setMaxTokens(4)
            .setN(2)
            .setExtra(Map.of("frequency_penalty", "0.5", "logprobs", "1"))
            .build();
    InferenceRequest a =
        request(
            "a",
            CompletionInput.newBuilder()
                .setPrompt("a0")
                .setPrompts(List.of("a0", "a1"))
                .setSampling(two)
                .build());
    InferenceRequest b =
        request("b", CompletionInput.newBuilder().setPrompt("b0").setSampling(two).build());
    StringBuilder choices = new StringBuilder();
    for (int i = 5; i >= 0; i--) { // out of order on purpose: the client sorts by index
      choices
          .append(choices.length() == 0 ? "" : ",")
          .append("{\"index\":")
          .append(i)
          .append(",\"text\":\"t")
          .append(i)
          .append("\",\"finish_reason\":\"length\",\"logprobs\":")
          .append(i == 0 ? "{\"tokens\":[\"t0\"]}" : "null")
          .append('}');
    }
    server.enqueue(
        json(
            "{\"choices\":["
                + choices
                + "],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":60}}"));

    List<ItemResult> r = LlmFunction.on(client).apply(batch(a, b));

    RecordedRequest sent = server.takeRequest();
    JsonNode body = JSON.readTree(sent.getBody().readUtf8());
    assertThat(body.get("prompt").toString()).isEqualTo("[\"a0\",\"a1\",\"b0\"]");
    assertThat(body.get("n").asInt()).isEqualTo(2);
    assertThat(body.get("frequency_penalty").asDouble()).isEqualTo(0.5);
    assertThat(body.get("logprobs").asInt()).isEqualTo(1);
    assertThat(server.getRequestCount()).isEqualTo(1);

    CompletionOutput oa = (CompletionOutput) ((ItemResult.Success) r.get(0)).output();
    assertThat(oa.getText()).isEqualTo("t0");
    assertThat(oa.getChoices()).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(oa.getChoices().get(i).getIndex()).isEqualTo(i);
      assertThat(oa.getChoices().get(i).getText()).isEqualTo("t" + i);
    }
    assertThat(oa.getChoices().get(0).getLogprobs()).isEqualTo("{\"tokens\":[\"t0\"]}");
    CompletionOutput ob = (CompletionOutput) ((ItemResult.Success) r.get(1)).output();
    assertThat(ob.getChoices())
        .extracting(c -> c.getIndex() + "=" + c.getText())
        .containsExactly("0=t4", "1=t5");
    // Usage apportioned by prompt and output length: a has 2 of 3 prompts and 4 of 6 choices.
    assertThat(((ItemResult.Success) r.get(0)).usage().getPromptTokens()).isEqualTo(20);
    assertThat(((ItemResult.Success) r.get(0)).usage().getCompletionTokens()).isEqualTo(40);
    assertThat(((ItemResult.Success) r.get(1)).usage().getCompletionTokens()).isEqualTo(20);
  }

  @Test
  void chatPassesToolsThroughAndKeepsTheToolCallsOfItsChoices() throws Exception {
    String tools =
        "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{}}}]";
    InferenceRequest chat =
        request(
            "c",
            ChatInput.newBuilder()
                .setMessages(
                    List.of(
                        ChatMessage.newBuilder()
                            .setRole(ChatRole.USER)
                            .setContent("weather?")
                            .build()))
                .setSampling(
                    SamplingParams.newBuilder()
                        .setExtra(Map.of("tools", tools, "tool_choice", "\"required\""))
                        .build())
                .build());
    server.enqueue(
        json(
            """
            {"choices":[{"index":0,"message":{"role":"assistant","content":null,
              "tool_calls":[{"id":"call_0","type":"function",
                "function":{"name":"get_weather","arguments":"{}"}}]},
              "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":3}}"""));

    List<ItemResult> r = LlmFunction.on(client).apply(batch(chat));

    JsonNode body = JSON.readTree(server.takeRequest().getBody().readUtf8());
    assertThat(body.get("tools").toString()).isEqualTo(tools);
    assertThat(body.get("tool_choice").asText()).isEqualTo("required");
    ChatOutput out = (ChatOutput) ((ItemResult.Success) r.get(0)).output();
    assertThat(out.getMessage().getContent()).isEmpty();
    assertThat(out.getFinishReason()).isEqualTo("tool_calls");
    assertThat(out.getChoices()).hasSize(1);
    assertThat(out.getChoices().get(0).getToolCalls()).contains("get_weather");
  }

  @Test
  void aPassThroughThatIsNotJsonOrNamesTheCallsOwnFieldIsTheItemsInvalidInput() throws Exception {
    InferenceRequest bad =
        request(
            "x",
            CompletionInput.newBuilder()
                .setPrompt("p")
                .setSampling(SamplingParams.newBuilder().setExtra(Map.of("seed", "{no")).build())
                .build());
    InferenceRequest reserved =
        request(
            "y",
            CompletionInput.newBuilder()
                .setPrompt("p")
                .setSampling(SamplingParams.newBuilder().setExtra(Map.of("model", "\"m\"")).build())
                .build());

    List<ItemResult> r = LlmFunction.on(client).apply(batch(bad, reserved));

    for (ItemResult item : r) {
      assertThat(((ItemResult.Failure) item).error())
          .isInstanceOfSatisfying(
              FunctionException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_INPUT));
    }
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void embeddingsBatchTheInputsOfRequestsThatAskAlikeAndSplitTheVectors() throws Exception {
    assertThat(FunctionRegistry.load().create("embeddings")).isInstanceOf(EmbeddingsFunction.class);
    InferenceRequest one = embed("e1", "{\"input\":[\"a\",\"bb\"],\"encoding_format\":\"float\"}");
    InferenceRequest two = embed("e2", "{\"input\":[\"cccc\"],\"encoding_format\":\"float\"}");
    InferenceRequest b64 =
        embed("e3", "{\"input\":[\"d\"],\"encoding_format\":\"base64\",\"dimensions\":4}");
    InferenceRequest wrong =
        request("e4", CompletionInput.newBuilder().setPrompt("not an embedding").build());
    // The two calls run concurrently: answer each by what it asked for.
    Map<String, JsonNode> asked = new ConcurrentHashMap<>();
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest req) {
            try {
              JsonNode body = JSON.readTree(req.getBody().readUtf8());
              String format = body.get("encoding_format").asText();
              asked.put(format, body);
              return json(
                  format.equals("float")
                      ? """
                        {"object":"list","data":[{"index":2,"embedding":[0.3]},
                          {"index":0,"embedding":[0.1]},{"index":1,"embedding":[0.2]}],
                         "usage":{"prompt_tokens":14,"total_tokens":14}}"""
                      : """
                        {"object":"list","data":[{"index":0,"embedding":"AAAAAA=="}],
                         "usage":{"prompt_tokens":1,"total_tokens":1}}""");
            } catch (java.io.IOException e) {
              return new MockResponse().setResponseCode(400);
            }
          }
        });

    List<ItemResult> r = EmbeddingsFunction.on(client).apply(batch(one, two, b64, wrong));

    assertThat(server.getRequestCount()).isEqualTo(2);
    JsonNode first = asked.get("float");
    assertThat(first.get("input").toString()).isEqualTo("[\"a\",\"bb\",\"cccc\"]");
    assertThat(first.get("model").asText()).isEqualTo("m1");
    assertThat(first.has("dimensions")).isFalse();
    JsonNode second = asked.get("base64");
    assertThat(second.get("input").toString()).isEqualTo("[\"d\"]");
    assertThat(second.get("dimensions").asInt()).isEqualTo(4);

    assertThat(vectors(r.get(0))).isEqualTo("[[0.1],[0.2]]");
    assertThat(vectors(r.get(1))).isEqualTo("[[0.3]]");
    assertThat(vectors(r.get(2))).isEqualTo("[\"AAAAAA==\"]");
    // 14 prompt tokens over 7 characters: "a" + "bb" is 3 of them, "cccc" 4.
    assertThat(((ItemResult.Success) r.get(0)).usage().getPromptTokens()).isEqualTo(6);
    assertThat(((ItemResult.Success) r.get(1)).usage().getPromptTokens()).isEqualTo(8);
    assertThat(((ItemResult.Success) r.get(2)).usage().getPromptTokens()).isEqualTo(1);
    assertThat(((ItemResult.Failure) r.get(3)).error()).isInstanceOf(FunctionException.class);
  }

  private static String vectors(ItemResult r) throws Exception {
    JsonOutput o = (JsonOutput) ((ItemResult.Success) r).output();
    return JSON.readTree(o.getJson()).get("embeddings").toString();
  }

  private static InferenceRequest embed(String id, String json) {
    return request(id, JsonInput.newBuilder().setJson(json).build());
  }

  private static InferenceRequest request(String id, Object input) {
    return InferenceRequest.newBuilder().setRequestId(id).setInput(input).build();
  }

  private static Batch batch(InferenceRequest... requests) {
    return new Batch("b", "d", List.of(requests), 1, (req, delta) -> {});
  }

  private static MockResponse json(String body) {
    return new MockResponse()
        .setResponseCode(200)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }
}
