package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.ErrorInfo;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.schemas.ErrorCodes;
import org.junit.jupiter.api.Test;

class ErrorShapesTest {

  @Test
  void sluiceShapeHasCodeMessageAndOptionalParamAndRequestId() {
    JsonNode j = ApiError.badField("messages[0].role", "bad role").toSluiceJson();
    assertThat(j.at("/error/code").asText()).isEqualTo("invalid_request");
    assertThat(j.at("/error/message").asText()).isEqualTo("bad role");
    assertThat(j.at("/error/param").asText()).isEqualTo("messages[0].role");
    assertThat(j.at("/error/requestId").isMissingNode()).isTrue();

    JsonNode t = ApiError.timeout("r-1", 300).toSluiceJson();
    assertThat(t.at("/error/code").asText()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
    assertThat(t.at("/error/requestId").asText()).isEqualTo("r-1");
  }

  @Test
  void openAiShapeHasMessageTypeParamAndCode() {
    JsonNode j = ApiError.badField("model", "missing").toOpenAiJson().get("error");
    assertThat(j.get("message").asText()).isEqualTo("missing");
    assertThat(j.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(j.get("param").asText()).isEqualTo("model");
    assertThat(j.get("code").asText()).isEqualTo("invalid_request");

    JsonNode over = ApiError.overloaded(1).toOpenAiJson().get("error");
    assertThat(over.get("type").asText()).isEqualTo("rate_limit_error");
    assertThat(over.get("param").isNull()).isTrue();
    assertThat(ApiError.overloaded(2).retryAfterSeconds()).isEqualTo(2);
    assertThat(ApiError.unavailable("down", null).status()).isEqualTo(503);
    assertThat(ApiError.unavailable("down", null).toOpenAiJson().at("/error/type").asText())
        .isEqualTo("server_error");
  }

  @Test
  void workerErrorsMapToHttpStatusesByStableCode() {
    assertThat(statusOf(ErrorCodes.INVALID_INPUT)).isEqualTo(422);
    assertThat(statusOf(ErrorCodes.DEADLINE_EXCEEDED)).isEqualTo(504);
    assertThat(statusOf(ErrorCodes.BACKEND_UNAVAILABLE)).isEqualTo(503);
    assertThat(statusOf(ErrorCodes.FUNCTION_ERROR)).isEqualTo(502);
    assertThat(statusOf(ErrorCodes.RATE_LIMITED)).isEqualTo(429);
    assertThat(statusOf("something_new")).isEqualTo(500);
  }

  @Test
  void okRepliesRenderInBothShapes() {
    InferenceResponse r =
        InferenceResponse.newBuilder()
            .setRequestId("r-9")
            .setApp("chat")
            .setStatus(ResponseStatus.OK)
            .setOutput(
                ChatOutput.newBuilder()
                    .setMessage(
                        ChatMessage.newBuilder()
                            .setRole(ChatRole.ASSISTANT)
                            .setContent("hi")
                            .build())
                    .build())
            .build();
    assertThat(ReplyErrors.errorOf(r)).isNull();
    JsonNode oa = OpenAiReplies.chatCompletion(r, "chat", 1);
    assertThat(oa.get("id").asText()).isEqualTo("chatcmpl-r-9");
    assertThat(oa.at("/choices/0/message/content").asText()).isEqualTo("hi");
    assertThat(oa.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    JsonNode s = SluiceDialect.body(r);
    assertThat(s.at("/output/message/role").asText()).isEqualTo("assistant");
    JsonNode chunk = OpenAiReplies.streamChunk(r, true, "r-9", "chat", 1);
    assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(chunk.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
  }

  private static int statusOf(String code) {
    InferenceResponse r =
        InferenceResponse.newBuilder()
            .setRequestId("r")
            .setApp("a")
            .setStatus(ResponseStatus.ERROR)
            .setError(ErrorInfo.newBuilder().setCode(code).setMessage("m").build())
            .build();
    return ReplyErrors.errorOf(r).status();
  }
}
