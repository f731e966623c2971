package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.Choice;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.Usage;
import io.sluice.bridge.ApiKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenAI routes' bodies and objects: prompt lists, n, parameters, embeddings, async ids. */
class OpenAiDialectTest {
  private static final String MSG = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";

  private static ParsedCall chat(String fields) {
    return OpenAiDialect.CHAT.parse(
        Map.of(), JsonBody.parseObject("{\"model\": \"m\", " + MSG + fields + "}"));
  }

  private static ParsedCall completion(String fields) {
    return OpenAiDialect.COMPLETIONS.parse(
        Map.of(), JsonBody.parseObject("{\"model\": \"m\"" + fields + "}"));
  }

  private static ParsedCall embed(String body) {
    return OpenAiDialect.EMBEDDINGS.parse(Map.of(), JsonBody.parseObject(body));
  }

  private static ApiError error(Runnable r) {
    try {
      r.run();
    } catch (ApiError e) {
      return e;
    }
    throw new AssertionError("no ApiError thrown");
  }

  private static String paramOf(Runnable r) {
    ApiError e = error(r);
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.code()).isEqualTo(ApiError.INVALID_REQUEST);
    return e.param();
  }

  @Test
  void aListOfPromptsTravelsAsOneRequestWithNChoicesEach() {
    CompletionInput in =
        (CompletionInput) completion(", \"prompt\": [\"a b\", \"c\", \"d\"], \"n\": 2").input();
    assertThat(in.getPrompt()).isEqualTo("a b");
    assertThat(in.getPrompts()).containsExactly("a b", "c", "d");
    assertThat(in.getSampling().getN()).isEqualTo(2);

    CompletionInput one = (CompletionInput) completion(", \"prompt\": [\"only\"]").input();
    assertThat(one.getPrompts()).isEmpty();
    assertThat(one.getSampling().getN()).isNull();
  }

  @Test
  void promptListsAndNAreBoundedAndNotStreamed() {
    assertThat(paramOf(() -> completion(", \"prompt\": [1, 2, 3]"))).isEqualTo("prompt");
    assertThat(error(() -> completion(", \"prompt\": [[1, 2]]")).getMessage())
        .contains("Token-id prompts");
    assertThat(paramOf(() -> completion(", \"prompt\": []"))).isEqualTo("prompt");
    assertThat(paramOf(() -> completion(", \"prompt\": [\"a\", true]"))).isEqualTo("prompt[1]");
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= OpenAiRequests.MAX_PROMPTS; i++) {
      many.add("\"p\"");
    }
    assertThat(paramOf(() -> completion(", \"prompt\": [" + String.join(",", many) + "]")))
        .isEqualTo("prompt");
    assertThat(paramOf(() -> chat(", \"n\": 0"))).isEqualTo("n");
    assertThat(paramOf(() -> chat(", \"n\": " + (OpenAiRequests.MAX_N + 1)))).isEqualTo("n");
    assertThat(paramOf(() -> chat(", \"n\": 1.5"))).isEqualTo("n");
    // 16 prompts x 16 choices is over the 128-choice bound, 8 x 16 is not.
    String sixteen = String.join(",", many.subList(0, 16));
    assertThat(paramOf(() -> completion(", \"prompt\": [" + sixteen + "], \"n\": 16")))
        .isEqualTo("n");
    String eight = String.join(",", many.subList(0, 8));
    assertThat(
            ((CompletionInput) completion(", \"prompt\": [" + eight + "], \"n\": 16").input())
                .getSampling()
                .getN())
        .isEqualTo(16);
    assertThat(paramOf(() -> chat(", \"n\": 2, \"stream\": true"))).isEqualTo("n");
    assertThat(paramOf(() -> completion(", \"prompt\": [\"a\", \"b\"], \"stream\": true")))
        .isEqualTo("prompt");
  }

  @Test
  void supportedParametersPassThroughValidatedAsJson() {
    ChatInput in =
        (ChatInput)
            chat(", \"frequency_penalty\": 0.5, \"presence_penalty\": -1, \"logit_bias\":"
                    + " {\"50256\": -100}, \"logprobs\": true, \"top_logprobs\": 3,"
                    + " \"response_format\": {\"type\": \"json_object\"}, \"tools\":"
                    + " [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\","
                    + " \"parameters\": {\"type\": \"object\"}}}], \"tool_choice\": \"auto\","
                    + " \"parallel_tool_calls\": false, \"seed\": 7")
                .input();
    Map<String, String> extra = in.getSampling().getExtra();
    assertThat(extra)
        .containsEntry("frequency_penalty", "0.5")
        .containsEntry("presence_penalty", "-1")
        .containsEntry("logit_bias", "{\"50256\":-100}")
        .containsEntry("logprobs", "true")
        .containsEntry("top_logprobs", "3")
        .containsEntry("tool_choice", "\"auto\"")
        .containsEntry("parallel_tool_calls", "false")
        .doesNotContainKey("seed"); // a typed field, not an extra
    assertThat(extra.get("tools")).contains("get_weather");
    assertThat(in.getSampling().getSeed()).isEqualTo(7L);

    CompletionInput c =
        (CompletionInput)
            completion(", \"prompt\": \"x\", \"logprobs\": 2, \"echo\": true").input();
    assertThat(c.getSampling().getExtra())
        .containsEntry("logprobs", "2")
        .containsEntry("echo", "true");
  }

  @Test
  void badOrUnknownOrUnsupportedParametersAre400NamingThem() {
    assertThat(paramOf(() -> chat(", \"frequency_penalty\": 3"))).isEqualTo("frequency_penalty");
    assertThat(paramOf(() -> chat(", \"logit_bias\": {\"abc\": 1}"))).isEqualTo("logit_bias.abc");
    assertThat(paramOf(() -> chat(", \"logit_bias\": {\"1\": 101}"))).isEqualTo("logit_bias.1");
    assertThat(paramOf(() -> chat(", \"top_logprobs\": 3"))).isEqualTo("top_logprobs");
    assertThat(paramOf(() -> chat(", \"tool_choice\": \"auto\""))).isEqualTo("tool_choice");
    assertThat(paramOf(() -> chat(", \"tools\": [{\"type\": \"code\"}]")))
        .isEqualTo("tools[0].type");
    assertThat(
            paramOf(
                () ->
                    chat(
                        ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a b\"}}]")))
        .isEqualTo("tools[0].function.name");
    assertThat(paramOf(() -> chat(", \"response_format\": {\"type\": \"xml\"}")))
        .isEqualTo("response_format.type");
    assertThat(paramOf(() -> chat(", \"tools\": [], \"stream\": true"))).isEqualTo("tools");
    assertThat(paramOf(() -> chat(", \"logprobs\": true, \"stream\": true"))).isEqualTo("logprobs");
    // Saying no to logprobs is no reason to refuse a stream.
    assertThat(chat(", \"logprobs\": false, \"stream\": true").stream()).isTrue();
    assertThat(paramOf(() -> chat(", \"functions\": []"))).isEqualTo("functions");
    assertThat(paramOf(() -> chat(", \"audio\": {}"))).isEqualTo("audio");
    assertThat(paramOf(() -> chat(", \"echo\": true"))).isEqualTo("echo"); // completions only
    assertThat(paramOf(() -> chat(", \"top_k\": 5"))).isEqualTo("top_k");
    assertThat(paramOf(() -> completion(", \"prompt\": \"x\", \"suffix\": \"y\"")))
        .isEqualTo("suffix");
    assertThat(paramOf(() -> completion(", \"prompt\": \"x\", \"logprobs\": 6")))
        .isEqualTo("logprobs");
    assertThat(paramOf(() -> completion(", \"prompt\": \"x\", \"tools\": []"))).isEqualTo("tools");
    assertThat(paramOf(() -> chat(", \"store\": \"yes\""))).isEqualTo("store");
  }

  @Test
  void sdkBookkeepingIsAcceptedAndNotPassedOn() {
    ChatInput in =
        (ChatInput)
            chat(", \"store\": false, \"metadata\": {\"k\": \"v\"}, \"stream_options\":"
                    + " {\"include_usage\": true}, \"service_tier\": \"auto\","
                    + " \"frequency_penalty\": null")
                .input();
    assertThat(in.getSampling().getExtra()).isEmpty();
  }

  @Test
  void choicesAreRenderedWithOpenAisIndexesAndSummedUsage() {
    List<Choice> choices = new ArrayList<>();
    for (int prompt = 0; prompt < 2; prompt++) {
      for (int j = 0; j < 2; j++) {
        choices.add(
            Choice.newBuilder()
                .setIndex(prompt * 2 + j)
                .setText("p" + prompt + "s" + j)
                .setFinishReason("length")
                .setLogprobs(j == 0 ? "{\"tokens\":[\"a\"]}" : null)
                .build());
      }
    }
    InferenceResponse r =
        ok(
            CompletionOutput.newBuilder()
                .setText("p0s0")
                .setFinishReason("length")
                .setChoices(choices)
                .build());
    JsonNode o = OpenAiDialect.COMPLETIONS.result(r, "m");
    assertThat(o.get("choices")).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(o.at("/choices/" + i + "/index").asInt()).isEqualTo(i);
      assertThat(o.at("/choices/" + i + "/text").asText()).isEqualTo("p" + i / 2 + "s" + i % 2);
    }
    assertThat(o.at("/choices/0/logprobs/tokens/0").asText()).isEqualTo("a");
    assertThat(o.at("/choices/1/logprobs").isNull()).isTrue();
    assertThat(o.at("/usage/total_tokens").asInt()).isEqualTo(30);
    assertThat(o.get("id").asText()).isEqualTo("cmpl-r1");
  }

  @Test
  void aChatChoiceThatCallsToolsHasNullContentAndItsToolCalls() {
    ChatMessage m = ChatMessage.newBuilder().setRole(ChatRole.ASSISTANT).setContent("").build();
    InferenceResponse r =
        ok(
            ChatOutput.newBuilder()
                .setMessage(m)
                .setFinishReason("tool_calls")
                .setChoices(
                    List.of(
                        Choice.newBuilder()
                            .setIndex(0)
                            .setText("")
                            .setFinishReason("tool_calls")
                            .setToolCalls(
                                "[{\"id\":\"c1\",\"type\":\"function\",\"function\":"
                                    + "{\"name\":\"f\",\"arguments\":\"{}\"}}]")
                            .build()))
                .build());
    JsonNode o = OpenAiDialect.CHAT.result(r, "m");
    assertThat(o.at("/choices/0/message/content").isNull()).isTrue();
    assertThat(o.at("/choices/0/message/tool_calls/0/function/name").asText()).isEqualTo("f");
    assertThat(o.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
  }

  @Test
  void embeddingsTakeAStringOrStringsAndRenderOpenAisList() {
    ParsedCall c =
        embed(
            "{\"model\": \"embed\", \"input\": [\"a\", \"b\"], \"encoding_format\":"
                + " \"base64\", \"dimensions\": 8, \"user\": \"u\"}");
    JsonNode doc = JsonBody.parseObject(((JsonInput) c.input()).getJson());
    assertThat(doc.get("input").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(doc.get("encoding_format").asText()).isEqualTo("base64");
    assertThat(doc.get("dimensions").asInt()).isEqualTo(8);
    assertThat(c.attributes()).containsEntry("user", "u");

    Runnable bad = () -> embed("{\"model\": \"e\", \"input\": [1, 2]}");
    assertThat(paramOf(bad)).isEqualTo("input");
    assertThat(
            paramOf(
                () -> embed("{\"model\": \"e\", \"input\": \"x\", \"encoding_format\": \"int8\"}")))
        .isEqualTo("encoding_format");
    assertThat(paramOf(() -> embed("{\"model\": \"e\", \"input\": \"\"}"))).isEqualTo("input");
    assertThat(paramOf(() -> embed("{\"model\": \"e\", \"input\": \"x\", \"dimensions\": 0}")))
        .isEqualTo("dimensions");

    InferenceResponse r =
        ok(JsonOutput.newBuilder().setJson("{\"embeddings\": [[0.5, -0.5], \"AAAA\"]}").build());
    JsonNode o = OpenAiDialect.EMBEDDINGS.result(r, "embed");
    assertThat(o.get("object").asText()).isEqualTo("list");
    assertThat(o.at("/data/0/object").asText()).isEqualTo("embedding");
    assertThat(o.at("/data/0/embedding/1").asDouble()).isEqualTo(-0.5);
    assertThat(o.at("/data/1/embedding").asText()).isEqualTo("AAAA");
    assertThat(o.at("/data/1/index").asInt()).isEqualTo(1);
    assertThat(o.get("model").asText()).isEqualTo("embed");
    assertThat(o.at("/usage/prompt_tokens").asInt()).isEqualTo(10);
  }

  @Test
  void asyncIdsCarryTheRouteSoAStoredResultKeepsItsShape() {
    for (OpenAiDialect d : OpenAiDialect.values()) {
      assertThat(d.allowsAsync()).isTrue();
      String idem = Idempotency.requestId(ApiKeys.ANONYMOUS, d, "m", "k");
      assertThat(OpenAiDialect.ofRequestId(idem)).isSameAs(d);
      assertThat(OpenAiDialect.ofRequestId(d.idPrefix() + "0f1e")).isSameAs(d);
    }
    assertThat(OpenAiDialect.ofRequestId("6c1d-uuid")).isSameAs(SluiceDialect.INSTANCE);
    assertThat(
            OpenAiDialect.ofRequestId(
                Idempotency.requestId(ApiKeys.ANONYMOUS, SluiceDialect.INSTANCE, "m", "k")))
        .isSameAs(SluiceDialect.INSTANCE);
    // The object's id is the request id (no doubled prefix), as the Location names it.
    InferenceResponse r =
        InferenceResponse.newBuilder(ok(CompletionOutput.newBuilder().setText("t").build()))
            .setRequestId("cmpl-abc")
            .build();
    assertThat(OpenAiDialect.COMPLETIONS.result(r, "m").get("id").asText()).isEqualTo("cmpl-abc");
  }

  private static InferenceResponse ok(Object output) {
    return InferenceResponse.newBuilder()
        .setRequestId("r1")
        .setApp("m")
        .setStatus(ResponseStatus.OK)
        .setOutput(output)
        .setUsage(
            Usage.newBuilder()
                .setPromptTokens(10)
                .setCompletionTokens(20)
                .setTotalTokens(30)
                .build())
        .build();
  }
}
