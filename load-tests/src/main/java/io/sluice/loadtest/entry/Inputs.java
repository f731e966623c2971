package io.sluice.loadtest.entry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionInput;
import io.sluice.avro.JsonInput;
import io.sluice.avro.SamplingParams;
import io.sluice.loadtest.generator.LoadRequest;
import java.util.List;
import java.util.Locale;

/** The input of a load request, as an Avro record and as the bridge's JSON. */
public final class Inputs {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Generated tokens asked of LLM apps, so the simulator's cost per request is fixed. */
  public static final int MAX_TOKENS = 32;

  private Inputs() {}

  /** The Avro input union member: ChatInput, CompletionInput or JsonInput. */
  public static Object avro(LoadRequest r) {
    SamplingParams sampling = SamplingParams.newBuilder().setMaxTokens(MAX_TOKENS).build();
    switch (r.inputKind()) {
      case CHAT:
        return ChatInput.newBuilder()
            .setMessages(
                List.of(
                    ChatMessage.newBuilder()
                        .setRole(ChatRole.USER)
                        .setContent(r.text())
                        .setName(null)
                        .build()))
            .setSampling(sampling)
            .build();
      case PROMPT:
        return CompletionInput.newBuilder().setPrompt(r.text()).setSampling(sampling).build();
      case JSON:
      default:
        return JsonInput.newBuilder().setJson(jsonInput(r).toString()).build();
    }
  }

  private static ObjectNode jsonInput(LoadRequest r) {
    return JSON.createObjectNode().put("text", r.text());
  }

  /**
   * The body of the bridge's {@code POST /v1/apps/{app}/infer} (see bridge/README.md): one of
   * {@code messages}, {@code prompt} or {@code input}, plus {@code priority}, {@code timeout_ms}
   * and the key as the {@code user} attribute.
   */
  public static String sluiceInferBody(LoadRequest r, long timeoutMs) {
    ObjectNode body = JSON.createObjectNode();
    switch (r.inputKind()) {
      case CHAT:
        body.putArray("messages").addObject().put("role", "user").put("content", r.text());
        body.putObject("sampling").put("max_tokens", MAX_TOKENS);
        break;
      case PROMPT:
        body.put("prompt", r.text());
        body.putObject("sampling").put("max_tokens", MAX_TOKENS);
        break;
      case JSON:
      default:
        body.set("input", jsonInput(r));
        break;
    }
    body.put("priority", r.priority().name().toLowerCase(Locale.ROOT));
    body.put("timeout_ms", timeoutMs);
    if (r.key() != null) {
      body.putObject("attributes").put("user", r.key());
    }
    return body.toString();
  }
}
