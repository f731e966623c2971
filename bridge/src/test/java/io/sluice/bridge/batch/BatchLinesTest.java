package io.sluice.bridge.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.ErrorInfo;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.Priority;
import io.sluice.avro.ResponseStatus;
import org.junit.jupiter.api.Test;

class BatchLinesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BatchEndpoint CHAT = BatchEndpoint.parse("/v1/chat/completions");

  private static String chatLine(String customId, String content) {
    return "{\"custom_id\":\""
        + customId
        + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"llm\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\""
        + content
        + "\"}],\"max_tokens\":16}}";
  }

  private static BatchError errorOf(String text, int line, BatchEndpoint endpoint) {
    try {
      BatchLines.parse(text, line, endpoint);
    } catch (BatchLineException e) {
      return e.error();
    }
    throw new AssertionError("line was accepted: " + text);
  }

  @Test
  void endpointsAreTheThreeRoutes() {
    assertThat(CHAT.kind()).isEqualTo(BatchEndpoint.Kind.CHAT);
    assertThat(BatchEndpoint.parse("/v1/completions").kind())
        .isEqualTo(BatchEndpoint.Kind.COMPLETIONS);
    BatchEndpoint infer = BatchEndpoint.parse("/v1/apps/sentiment/infer");
    assertThat(infer.kind()).isEqualTo(BatchEndpoint.Kind.INFER);
    assertThat(infer.app()).isEqualTo("sentiment");
    assertThat(BatchEndpoint.parse("/v1/embeddings")).isNull();
    assertThat(BatchEndpoint.parse("/v1/apps/a b/infer")).isNull();
    assertThat(BatchEndpoint.parse(null)).isNull();
  }

  @Test
  void aChatLineBecomesTheSyncRoutesRequestAtBulkPriority() {
    BatchLine line = BatchLines.parse(chatLine("req-1", "hi"), 3, CHAT);
    assertThat(line.line()).isEqualTo(3);
    assertThat(line.customId()).isEqualTo("req-1");
    assertThat(line.app()).isEqualTo("llm");
    ChatInput in = (ChatInput) line.input();
    assertThat(in.getMessages().get(0).getContent()).isEqualTo("hi");
    assertThat(in.getSampling().getMaxTokens()).isEqualTo(16);

    String id = BatchLines.requestId("batch_ab12", 3);
    InferenceRequest req = BatchLines.toRequest(line, id, "sluice.batch.events", 5, 123_456L);
    assertThat(req.getRequestId()).isEqualTo("batch_ab12:3");
    assertThat(req.getApp()).isEqualTo("llm");
    assertThat(req.getPriority()).isEqualTo(Priority.BULK);
    assertThat(req.getReplyTo()).isEqualTo("sluice.batch.events");
    assertThat(req.getReplyPartition()).isEqualTo(5);
    assertThat(req.getDeadlineMs().toEpochMilli()).isEqualTo(123_456L);
    assertThat(req.getStream()).isFalse();
  }

  @Test
  void completionAndSluiceLinesUseTheirRoutesBodies() {
    BatchLine c =
        BatchLines.parse(
            "{\"custom_id\":\"c\",\"method\":\"POST\",\"url\":\"/v1/completions\","
                + "\"body\":{\"model\":\"llm\",\"prompt\":\"once\",\"user\":\"u7\"}}",
            1,
            BatchEndpoint.parse("/v1/completions"));
    assertThat(((CompletionInput) c.input()).getPrompt()).isEqualTo("once");
    assertThat(c.attributes()).containsEntry("user", "u7");

    BatchEndpoint infer = BatchEndpoint.parse("/v1/apps/sentiment/infer");
    BatchLine s =
        BatchLines.parse(
            "{\"custom_id\":\"s\",\"method\":\"POST\",\"url\":\"/v1/apps/sentiment/infer\","
                + "\"body\":{\"input\":{\"text\":\"good\"},\"priority\":\"interactive\"}}",
            2,
            infer);
    assertThat(s.app()).isEqualTo("sentiment");
    assertThat(((JsonInput) s.input()).getJson()).isEqualTo("{\"text\":\"good\"}");
    assertThat(BatchLines.toRequest(s, "x:2", "t", 0, 1L).getPriority()).isEqualTo(Priority.BULK);
  }

  @Test
  void badLinesNameTheirLineAndReason() {
    assertThat(errorOf("{not json", 4, CHAT))
        .extracting(BatchError::code, BatchError::line)
        .containsExactly("invalid_json_line", 4);
    assertThat(errorOf("[1,2]", 5, CHAT).code()).isEqualTo("invalid_json_line");
    assertThat(
            errorOf("{\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{}}", 6, CHAT))
        .extracting(BatchError::code, BatchError::param, BatchError::line)
        .containsExactly("missing_required_parameter", "custom_id", 6);
    assertThat(errorOf(chatLine("a", "x").replace("\"POST\"", "\"GET\""), 1, CHAT).param())
        .isEqualTo("method");
    assertThat(
            errorOf(chatLine("a", "x").replace("/v1/chat/completions", "/v1/completions"), 1, CHAT))
        .extracting(BatchError::code, BatchError::param)
        .containsExactly("invalid_url", "url");
    assertThat(errorOf(chatLine("", "x"), 1, CHAT).param()).isEqualTo("custom_id");
    assertThat(errorOf(chatLine("a", "x").replace("\"x\"", "1"), 1, CHAT).param())
        .isEqualTo("body.messages[0].content");
  }

  @Test
  void bodyErrorsAreTheSyncRoutesWithTheirFieldUnderBody() {
    BatchError e = errorOf(chatLine("a", "x").replace("\"user\"", "\"robot\""), 9, CHAT);
    assertThat(e.code()).isEqualTo("invalid_request");
    assertThat(e.param()).isEqualTo("body.messages[0].role");
    assertThat(e.line()).isEqualTo(9);
    BatchError temp =
        errorOf(chatLine("a", "x").replace("\"max_tokens\":16", "\"temperature\":3"), 2, CHAT);
    assertThat(temp.param()).isEqualTo("body.temperature");
    BatchError stream =
        errorOf(chatLine("a", "x").replace("\"max_tokens\":16", "\"stream\":true"), 2, CHAT);
    assertThat(stream.code()).isEqualTo("streaming_unsupported");
  }

  @Test
  void withoutAnEndpointALineNamesItsOwn() {
    BatchLine l =
        BatchLines.parse(
            "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/apps/echo/infer\","
                + "\"body\":{\"input\":[1,2]}}",
            1);
    assertThat(l.endpoint().kind()).isEqualTo(BatchEndpoint.Kind.INFER);
    assertThat(l.app()).isEqualTo("echo");
    assertThatThrownBy(
            () ->
                BatchLines.parse(
                    chatLine("a", "x").replace("/v1/chat/completions", "/v1/embeddings"), 1))
        .isInstanceOf(BatchLineException.class)
        .hasMessageContaining("/v1/embeddings");
  }

  @Test
  void unknownAppsAndDuplicatesAreErrorsOfTheirLine() {
    BatchLine l = BatchLines.parse(chatLine("a", "x"), 7, CHAT);
    assertThat(BatchLines.unknownApp(l))
        .extracting(BatchError::code, BatchError::param, BatchError::line)
        .containsExactly("model_not_found", "body.model", 7);
    assertThat(BatchLines.duplicateCustomId(l, 2).message()).contains("line 2");
    JsonNode j = BatchLines.duplicateCustomId(l, 2).toJson();
    assertThat(j.get("line").asInt()).isEqualTo(7);
    assertThat(j.has("param")).isTrue();
  }

  @Test
  void anOkReplyIsAnOutputLineWithTheSyncRoutesBody() throws Exception {
    InferenceResponse ok =
        InferenceResponse.newBuilder()
            .setRequestId("batch_ab12:3")
            .setApp("llm")
            .setStatus(ResponseStatus.OK)
            .setOutput(
                ChatOutput.newBuilder()
                    .setMessage(
                        ChatMessage.newBuilder()
                            .setRole(ChatRole.ASSISTANT)
                            .setContent("hello")
                            .build())
                    .setFinishReason("stop")
                    .build())
            .build();
    assertThat(BatchLines.succeeded(ok)).isTrue();
    JsonNode out = JSON.readTree(BatchLines.outputLine("req-1", CHAT, ok));
    assertThat(out.get("id").asText()).isEqualTo("batch_req_ab12_3");
    assertThat(out.get("custom_id").asText()).isEqualTo("req-1");
    assertThat(out.at("/response/status_code").asInt()).isEqualTo(200);
    assertThat(out.at("/response/request_id").asText()).isEqualTo("batch_ab12:3");
    assertThat(out.at("/response/body/object").asText()).isEqualTo("chat.completion");
    assertThat(out.at("/response/body/model").asText()).isEqualTo("llm");
    assertThat(out.at("/response/body/choices/0/message/content").asText()).isEqualTo("hello");
    assertThat(out.get("error").isNull()).isTrue();

    InferenceResponse json =
        InferenceResponse.newBuilder(ok)
            .setOutput(JsonOutput.newBuilder().setJson("{\"label\":\"pos\"}").build())
            .build();
    JsonNode sl =
        JSON.readTree(BatchLines.outputLine("s", BatchEndpoint.parse("/v1/apps/llm/infer"), json));
    assertThat(sl.at("/response/body/output/label").asText()).isEqualTo("pos");
  }

  @Test
  void anErrorReplyCarriesTheRoutesStatusAndErrorBody() throws Exception {
    InferenceResponse err =
        InferenceResponse.newBuilder()
            .setRequestId("batch_ab12:4")
            .setApp("llm")
            .setStatus(ResponseStatus.ERROR)
            .setError(
                ErrorInfo.newBuilder().setCode("invalid_input").setMessage("too long").build())
            .build();
    assertThat(BatchLines.succeeded(err)).isFalse();
    JsonNode out = JSON.readTree(BatchLines.outputLine("req-2", CHAT, err));
    assertThat(out.at("/response/status_code").asInt()).isEqualTo(422);
    assertThat(out.at("/response/body/error/code").asText()).isEqualTo("invalid_input");
    assertThat(out.at("/response/body/error/type").asText()).isEqualTo("invalid_request_error");

    JsonNode expired =
        JSON.readTree(
            BatchLines.errorLine(
                "batch_ab12:5", "req-3", "batch_expired", "The completion window expired."));
    assertThat(expired.get("response").isNull()).isTrue();
    assertThat(expired.at("/error/code").asText()).isEqualTo("batch_expired");
    assertThat(expired.get("custom_id").asText()).isEqualTo("req-3");
  }
}
