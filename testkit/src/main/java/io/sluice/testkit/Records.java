package io.sluice.testkit;

import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatRole;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.SamplingParams;
import io.sluice.schemas.Replies;
import java.util.List;

/**
 * Builders for the records tests send and fake workers answer with. Each returns the Avro builder,
 * so a test sets only what it is about:
 *
 * <pre>{@code
 * InferenceRequest r =
 *     Records.chat("chat", "r-1", "hello there").setReplyTo(replies).setPriority(BULK).build();
 * InferenceResponse ok = Records.ok(r).setOutput(out).build();
 * }</pre>
 */
public final class Records {
  private Records() {}

  /** A chat request for {@code app}: one user message, the backend's default sampling. */
  public static InferenceRequest.Builder chat(String app, String requestId, String userMessage) {
    return chat(app, requestId, userMessage, SamplingParams.newBuilder().build());
  }

  /** A chat request for {@code app}: one user message and at most {@code maxTokens} out. */
  public static InferenceRequest.Builder chat(
      String app, String requestId, String userMessage, int maxTokens) {
    return chat(
        app, requestId, userMessage, SamplingParams.newBuilder().setMaxTokens(maxTokens).build());
  }

  private static InferenceRequest.Builder chat(
      String app, String requestId, String userMessage, SamplingParams sampling) {
    return InferenceRequest.newBuilder()
        .setRequestId(requestId)
        .setApp(app)
        .setInput(
            ChatInput.newBuilder()
                .setMessages(List.of(user(userMessage)))
                .setSampling(sampling)
                .build());
  }

  /** A user turn of a conversation. */
  public static ChatMessage user(String content) {
    return ChatMessage.newBuilder().setRole(ChatRole.USER).setContent(content).build();
  }

  /**
   * An OK reply to {@code request}: its request id and app, and timings that end now. The caller
   * adds the output (and the variant or deployment it claims to be).
   */
  public static InferenceResponse.Builder ok(InferenceRequest request) {
    return InferenceResponse.newBuilder()
        .setRequestId(request.getRequestId())
        .setApp(request.getApp())
        .setStatus(ResponseStatus.OK)
        .setTimings(Replies.timings(request, System.currentTimeMillis()));
  }
}
