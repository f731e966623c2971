package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.JsonInput;
import io.sluice.avro.Priority;
import org.junit.jupiter.api.Test;

class RequestMapperTest {

  private static ParsedCall infer(String body) {
    return RequestMapper.infer("app", RequestMapper.parseObject(body));
  }

  private static ApiError error(Runnable r) {
    try {
      r.run();
    } catch (ApiError e) {
      return e;
    }
    throw new AssertionError("no ApiError thrown");
  }

  @Test
  void inferMapsJsonChatAndPromptInputs() {
    ParsedCall json = infer("{\"input\": {\"text\": \"hi\"}, \"priority\": \"bulk\"}");
    assertThat(json.input()).isInstanceOf(JsonInput.class);
    assertThat(((JsonInput) json.input()).getJson()).isEqualTo("{\"text\":\"hi\"}");
    assertThat(json.priority()).isEqualTo(Priority.BULK);

    ParsedCall chat =
        infer(
            "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"sampling\":"
                + " {\"max_tokens\": 5, \"stop\": \"\\n\"}, \"timeout_ms\": 900}");
    ChatInput c = (ChatInput) chat.input();
    assertThat(c.getMessages().get(0).getRole()).isEqualTo(ChatRole.USER);
    assertThat(c.getSampling().getMaxTokens()).isEqualTo(5);
    assertThat(c.getSampling().getStop()).containsExactly("\n");
    assertThat(chat.timeoutMs()).isEqualTo(900L);

    ParsedCall prompt = infer("{\"prompt\": \"once\", \"stream\": true}");
    assertThat(((CompletionInput) prompt.input()).getPrompt()).isEqualTo("once");
    assertThat(prompt.stream()).isTrue();
  }

  @Test
  void inferRejectsUnknownFieldsAndAmbiguousInputNamingTheField() {
    assertThat(error(() -> infer("{\"input\": 1, \"colour\": 2}")).param()).isEqualTo("colour");
    assertThat(error(() -> infer("{\"input\": 1, \"prompt\": \"x\"}")).param()).isEqualTo("input");
    assertThat(error(() -> infer("{}")).status()).isEqualTo(400);
    assertThat(error(() -> infer("{\"input\": 1, \"priority\": \"urgent\"}")).param())
        .isEqualTo("priority");
    assertThat(error(() -> infer("{\"input\": 1, \"timeout_ms\": -5}")).param())
        .isEqualTo("timeout_ms");
    assertThat(error(() -> infer("{\"input\": 1, \"sampling\": {\"top_k\": 3}}")).param())
        .isEqualTo("sampling.top_k");
  }

  @Test
  void malformedJsonIsInvalidJson() {
    for (String bad : new String[] {"", "{", "[1]", "{\"a\": 1} trailing", "null"}) {
      ApiError e = error(() -> RequestMapper.parseObject(bad));
      assertThat(e.status()).as(bad).isEqualTo(400);
      assertThat(e.code()).as(bad).isEqualTo(ApiError.INVALID_JSON);
    }
  }

  @Test
  void openAiChatAcceptsSdkBodiesAndNamesBadFields() {
    ParsedCall ok =
        OpenAiRequests.chat(
            RequestMapper.parseObject(
                "{\"model\": \"m\", \"messages\": [{\"role\": \"system\", \"content\": [{\"type\":"
                    + " \"text\", \"text\": \"a\"}, {\"type\": \"text\", \"text\": \"b\"}]},"
                    + " {\"role\": \"assistant\", \"content\": null}], \"n\": 1, \"temperature\":"
                    + " 0.2, \"max_completion_tokens\": 9, \"user\": \"u1\", \"logprobs\":"
                    + " false}"));
    ChatInput in = (ChatInput) ok.input();
    assertThat(ok.app()).isEqualTo("m");
    assertThat(in.getMessages().get(0).getContent()).isEqualTo("ab");
    assertThat(in.getMessages().get(1).getContent()).isEmpty();
    assertThat(in.getSampling().getMaxTokens()).isEqualTo(9);
    assertThat(in.getSampling().getTemperature()).isEqualTo(0.2);
    assertThat(ok.attributes()).containsEntry("user", "u1");

    assertThat(
            error(() -> OpenAiRequests.chat(RequestMapper.parseObject("{\"messages\": []}")))
                .param())
        .isEqualTo("model");
    assertThat(
            error(() -> OpenAiRequests.chat(RequestMapper.parseObject("{\"model\": \"m\"}")))
                .param())
        .isEqualTo("messages");
    assertThat(
            error(
                    () ->
                        OpenAiRequests.chat(
                            RequestMapper.parseObject(
                                "{\"model\": \"m\", \"messages\": [{\"role\": \"user\","
                                    + " \"content\": \"x\"}], \"temperature\": 7}")))
                .param())
        .isEqualTo("temperature");
    assertThat(
            error(
                    () ->
                        OpenAiRequests.chat(
                            RequestMapper.parseObject(
                                "{\"model\": \"m\", \"messages\": [{\"role\": \"user\","
                                    + " \"content\": \"x\"}], \"n\": 17}")))
                .param())
        .isEqualTo("n");
  }

  @Test
  void openAiCompletionTakesAStringOrOneStringPrompt() {
    ParsedCall c =
        OpenAiRequests.completion(
            RequestMapper.parseObject(
                "{\"model\": \"m\", \"prompt\": [\"p\"], \"stop\": [\"x\"]}"));
    assertThat(((CompletionInput) c.input()).getPrompt()).isEqualTo("p");
    assertThatThrownBy(
            () ->
                OpenAiRequests.completion(
                    RequestMapper.parseObject("{\"model\": \"m\", \"prompt\": [1, 2]}")))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.param()).isEqualTo("prompt"));
  }

  @Test
  void everyBodyFieldIsBounded() {
    assertThat(error(() -> infer("{\"input\": 1, \"input\": 2}")).code())
        .isEqualTo(ApiError.INVALID_JSON);
    assertThat(error(() -> infer("{\"input\": " + "[".repeat(65) + "]".repeat(65) + "}")).code())
        .isEqualTo(ApiError.INVALID_JSON);
    assertThat(error(() -> infer("{\"input\": " + "9".repeat(101) + "}")).code())
        .isEqualTo(ApiError.INVALID_JSON);
    assertThat(error(() -> infer("{\"input\": \"\\ud800\"}")).code())
        .isEqualTo(ApiError.INVALID_JSON);
    assertThat(infer("{\"input\": \"\\ud83d\\ude00\"}").input()).isInstanceOf(JsonInput.class);
    assertThat(
            error(() -> infer("{\"input\": 1, \"attributes\": {\"idempotency-key\": \"x\"}}"))
                .param())
        .isEqualTo("attributes.idempotency-key");
    assertThat(
            error(
                    () ->
                        infer(
                            "{\"input\": 1, \"attributes\": {\"a\": \""
                                + "v".repeat(4097)
                                + "\"}}"))
                .param())
        .isEqualTo("attributes.a");
    assertThat(
            error(
                    () ->
                        infer(
                            "{\"prompt\": \"x\", \"sampling\": {\"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]}}"))
                .param())
        .isEqualTo("sampling.stop");
    String chat = "\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]";
    assertThat(
            error(
                    () ->
                        OpenAiRequests.chat(
                            RequestMapper.parseObject(
                                "{\"model\": \"m\", " + chat + ", \"n\": 4294967297}")))
                .param())
        .isEqualTo("n");
    assertThat(
            error(
                    () ->
                        OpenAiRequests.chat(
                            RequestMapper.parseObject(
                                "{\"model\": \"m\", "
                                    + chat
                                    + ", \"user\": \""
                                    + "u".repeat(257)
                                    + "\"}")))
                .param())
        .isEqualTo("user");
    assertThat(
            error(
                    () ->
                        OpenAiRequests.completion(
                            RequestMapper.parseObject(
                                "{\"model\": \"" + "m".repeat(201) + "\", \"prompt\": \"x\"}")))
                .param())
        .isEqualTo("model");
  }
}
