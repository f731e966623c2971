package io.sluice.schemas.pipeline;

import static io.sluice.schemas.pipeline.PipelineGraphTest.json;
import static io.sluice.schemas.pipeline.PipelineGraphTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineDocumentTest {
  private static InferenceRequest request(Object input) {
    return InferenceRequest.newBuilder()
        .setRequestId("r-1")
        .setApp("analyze")
        .setInput(input)
        .build();
  }

  private static JsonInput jsonInput(String text) {
    return JsonInput.newBuilder().setJson(text).build();
  }

  private static ChatMessage message(ChatRole role, String content) {
    return ChatMessage.newBuilder().setRole(role).setContent(content).build();
  }

  private static InferenceResponse reply(Object output) {
    return InferenceResponse.newBuilder()
        .setRequestId("r-1/s")
        .setApp("analyze")
        .setStatus(ResponseStatus.OK)
        .setOutput(output)
        .build();
  }

  @Test
  void aJsonRequestIsItsJsonWithAttributesModelAndNoSteps() {
    InferenceRequest r =
        InferenceRequest.newBuilder(request(jsonInput("{\"text\": \"hi\", \"n\": [1, 2]}")))
            .setAttributes(Map.of("user", "u-1", "tier", "gold"))
            .setModel("m-7")
            .build();
    ObjectNode doc = PipelineDocument.of(r);
    assertThat(doc)
        .isEqualTo(
            json(
                """
                {"request": {"text": "hi", "n": [1, 2]},
                 "attributes": {"user": "u-1", "tier": "gold"},
                 "model": "m-7",
                 "steps": {}}
                """));
  }

  @Test
  void aRequestWithoutModelHasANullModel() {
    ObjectNode doc = PipelineDocument.of(request(jsonInput("3")));
    assertThat(doc.get("model").isNull()).isTrue();
    assertThat(doc.get("request")).isEqualTo(json("3"));
    assertThat(doc.get("attributes")).isEqualTo(json("{}"));
    assertThat(doc.get("steps")).isEqualTo(json("{}"));
  }

  @Test
  void aChatRequestIsItsMessagesWithLowerCaseRoles() {
    ChatInput chat =
        ChatInput.newBuilder()
            .setMessages(
                List.of(
                    message(ChatRole.SYSTEM, "be brief"),
                    message(ChatRole.USER, "hi"),
                    message(ChatRole.ASSISTANT, "hello"),
                    message(ChatRole.DEVELOPER, "dev"),
                    message(ChatRole.TOOL, "{\"r\": 1}")))
            .build();
    assertThat(PipelineDocument.of(request(chat)).get("request"))
        .isEqualTo(
            json(
                """
                {"messages": [
                  {"role": "system", "content": "be brief"},
                  {"role": "user", "content": "hi"},
                  {"role": "assistant", "content": "hello"},
                  {"role": "developer", "content": "dev"},
                  {"role": "tool", "content": "{\\"r\\": 1}"}]}
                """));
  }

  @Test
  void aCompletionRequestIsItsPrompt() {
    CompletionInput p = CompletionInput.newBuilder().setPrompt("Once upon").build();
    assertThat(PipelineDocument.of(request(p)).get("request"))
        .isEqualTo(json("{\"prompt\": \"Once upon\"}"));
  }

  @Test
  void requestTextThatIsNotJsonIsKeptAsAString() {
    assertThat(PipelineDocument.of(request(jsonInput("not {json"))).get("request"))
        .isEqualTo(json("\"not {json\""));
    assertThat(PipelineDocument.parseLenient("[1,")).isEqualTo(json("\"[1,\""));
    assertThat(PipelineDocument.parseLenient(null).isNull()).isTrue();
  }

  @Test
  void textThatIsNotExactlyOneJsonValueIsKeptAsAString() {
    for (String text : List.of("", "  ", "{\"a\": 1} tail", "1 2", "[1] [2]")) {
      assertThat(PipelineDocument.parseLenient(text))
          .as("'%s'", text)
          .isEqualTo(
              json(
                  PipelineDocument.write(
                      com.fasterxml.jackson.databind.node.TextNode.valueOf(text))));
      assertThat(PipelineDocument.outputOf(reply(JsonOutput.newBuilder().setJson(text).build())))
          .as("'%s'", text)
          .isEqualTo(PipelineDocument.parseLenient(text));
    }
    assertThat(PipelineDocument.parseLenient(" {\"a\": 1}\n")).isEqualTo(json("{\"a\": 1}"));
  }

  @Test
  void outputsAreTheirDocumentedJsonViews() {
    assertThat(
            PipelineDocument.outputOf(reply(JsonOutput.newBuilder().setJson("{\"a\": 1}").build())))
        .isEqualTo(json("{\"a\": 1}"));
    assertThat(PipelineDocument.outputOf(reply(JsonOutput.newBuilder().setJson("oops").build())))
        .isEqualTo(json("\"oops\""));
    ChatOutput chat =
        ChatOutput.newBuilder()
            .setMessage(message(ChatRole.ASSISTANT, "A summary."))
            .setFinishReason("stop")
            .build();
    assertThat(PipelineDocument.outputOf(reply(chat)))
        .isEqualTo(
            json(
                "{\"content\": \"A summary.\", \"role\": \"assistant\", \"finishReason\": \"stop\"}"));
    CompletionOutput completion =
        CompletionOutput.newBuilder().setText(" there was").setFinishReason("length").build();
    assertThat(PipelineDocument.outputOf(reply(completion)))
        .isEqualTo(json("{\"text\": \" there was\", \"finishReason\": \"length\"}"));
    CompletionOutput noReason = CompletionOutput.newBuilder().setText("t").build();
    assertThat(PipelineDocument.outputOf(reply(noReason)))
        .isEqualTo(json("{\"text\": \"t\", \"finishReason\": null}"));
    assertThat(PipelineDocument.outputOf(reply(null)).isNull()).isTrue();
  }

  @Test
  void aPassThroughStepGetsTheOriginalInputItself() {
    PipelineGraph g =
        parse("{\"steps\": {\"a\": {\"deployment\": \"d\"}}, \"output\": \"$/steps/a\"}");
    ChatInput original =
        ChatInput.newBuilder().setMessages(List.of(message(ChatRole.USER, "hi"))).build();
    ObjectNode doc = PipelineDocument.of(request(original));
    assertThat(PipelineDocument.stepInput(g.step("a"), doc, original)).isSameAs(original);
  }

  @Test
  void aJsonStepGetsItsRenderedInputAsJsonText() {
    PipelineGraph g =
        parse(
            """
            {"steps": {"pre": {"deployment": "d"},
                       "a": {"deployment": "d", "input": {"t": "$/steps/pre/text", "u": "$/attributes/user",
                                                          "m": "$/model", "gone": "$/steps/pre/none"}}},
             "output": "$/steps/a"}
            """);
    ObjectNode doc =
        PipelineDocument.of(
            InferenceRequest.newBuilder(request(jsonInput("{}")))
                .setAttributes(Map.of("user", "u-1"))
                .build());
    ((ObjectNode) doc.get("steps")).set("pre", json("{\"text\": \"hello\"}"));
    Object input = PipelineDocument.stepInput(g.step("a"), doc, doc.get("request"));
    assertThat(input).isInstanceOf(JsonInput.class);
    assertThat(json(((JsonInput) input).getJson()))
        .isEqualTo(json("{\"t\": \"hello\", \"u\": \"u-1\", \"m\": null, \"gone\": null}"));
  }

  @Test
  void aPromptStepGetsTextAndItsSampling() {
    PipelineGraph g =
        parse(
            """
            {"steps": {"pre": {"deployment": "d"},
                       "str": {"deployment": "d", "prompt": "$/steps/pre/text", "maxTokens": 8, "temperature": 0.2},
                       "obj": {"deployment": "d", "prompt": {"words": "$/steps/pre/words"}},
                       "num": {"deployment": "d", "prompt": "$/steps/pre/words"},
                       "nul": {"deployment": "d", "prompt": "$/steps/pre/none"}},
             "output": ["$/steps/str", "$/steps/obj", "$/steps/num", "$/steps/nul"]}
            """);
    ObjectNode doc = PipelineDocument.of(request(jsonInput("{}")));
    ((ObjectNode) doc.get("steps")).set("pre", json("{\"text\": \"hello\", \"words\": 2}"));

    CompletionInput str = (CompletionInput) PipelineDocument.stepInput(g.step("str"), doc, null);
    assertThat(str.getPrompt()).isEqualTo("hello");
    assertThat(str.getSampling().getMaxTokens()).isEqualTo(8);
    assertThat(str.getSampling().getTemperature()).isEqualTo(0.2);

    CompletionInput obj = (CompletionInput) PipelineDocument.stepInput(g.step("obj"), doc, null);
    assertThat(json(obj.getPrompt())).isEqualTo(json("{\"words\": 2}"));
    assertThat(obj.getSampling().getMaxTokens()).isNull();
    assertThat(obj.getSampling().getTemperature()).isNull();

    CompletionInput num = (CompletionInput) PipelineDocument.stepInput(g.step("num"), doc, null);
    assertThat(num.getPrompt()).isEqualTo("2");

    CompletionInput nul = (CompletionInput) PipelineDocument.stepInput(g.step("nul"), doc, null);
    assertThat(nul.getPrompt()).isEmpty();
  }

  @Test
  void aChatStepGetsItsMessagesWithRolesAndSampling() {
    PipelineGraph g =
        parse(
            """
            {"steps": {"pre": {"deployment": "d"},
                       "c": {"deployment": "d", "maxTokens": 64, "temperature": 0,
                             "chat": [{"role": "system", "content": "Summarise."},
                                      {"role": "developer", "content": "$$/literal"},
                                      {"role": "user", "content": "$/steps/pre/text"},
                                      {"role": "assistant", "content": {"n": "$/steps/pre/words"}},
                                      {"role": "tool", "content": "$/steps/pre/none"}]}},
             "output": "$/steps/c/content"}
            """);
    ObjectNode doc = PipelineDocument.of(request(jsonInput("{}")));
    ((ObjectNode) doc.get("steps")).set("pre", json("{\"text\": \"long text\", \"words\": 31}"));
    ChatInput chat = (ChatInput) PipelineDocument.stepInput(g.step("c"), doc, null);
    assertThat(chat.getMessages())
        .extracting(ChatMessage::getRole)
        .containsExactly(
            ChatRole.SYSTEM, ChatRole.DEVELOPER, ChatRole.USER, ChatRole.ASSISTANT, ChatRole.TOOL);
    assertThat(chat.getMessages())
        .extracting(ChatMessage::getContent)
        .containsExactly("Summarise.", "$/literal", "long text", "{\"n\":31}", "");
    assertThat(chat.getSampling().getMaxTokens()).isEqualTo(64);
    assertThat(chat.getSampling().getTemperature()).isEqualTo(0.0);
  }

  @Test
  void writeIsCompactJsonText() {
    JsonNode v = json("{\"a\": [1, \"x\", null]}");
    assertThat(PipelineDocument.write(v)).isEqualTo("{\"a\":[1,\"x\",null]}");
  }
}
