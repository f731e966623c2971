package io.sluice.bridge.internal;

import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;

/** The generated text of a reply, whatever its output type, and the reply with it replaced. */
final class ReplyText {
  private ReplyText() {}

  /** The same reply with its chat or completion text replaced. */
  static InferenceResponse withText(InferenceResponse r, String text) {
    Object out = r.getOutput();
    InferenceResponse.Builder b = InferenceResponse.newBuilder(r);
    if (out instanceof ChatOutput c) {
      b.setOutput(
          ChatOutput.newBuilder(c)
              .setMessage(ChatMessage.newBuilder(c.getMessage()).setContent(text).build())
              .build());
    } else if (out instanceof CompletionOutput c) {
      b.setOutput(CompletionOutput.newBuilder(c).setText(text).build());
    }
    return b.build();
  }

  /** The generated text of a chat or completion reply ("" for others). */
  static String text(InferenceResponse r) {
    Object out = r.getOutput();
    if (out instanceof ChatOutput c) {
      return c.getMessage().getContent();
    }
    if (out instanceof CompletionOutput c) {
      return c.getText();
    }
    if (out instanceof JsonOutput j) {
      return j.getJson();
    }
    return "";
  }

  static String finishReason(InferenceResponse r, String fallback) {
    Object out = r.getOutput();
    String f = null;
    if (out instanceof ChatOutput c) {
      f = c.getFinishReason();
    } else if (out instanceof CompletionOutput c) {
      f = c.getFinishReason();
    }
    return f == null ? fallback : f;
  }
}
