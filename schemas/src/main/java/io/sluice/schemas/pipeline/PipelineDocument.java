package io.sluice.schemas.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
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
import io.sluice.avro.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON document a pipeline's references read ({@code /request}, {@code /attributes}, {@code
 * /model}, {@code /steps/<name>}), and the conversions between it and the Avro request and reply
 * types.
 */
public final class PipelineDocument {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Exactly one JSON value: trailing text makes the whole text "not JSON". */
  private static final ObjectReader ONE_VALUE =
      JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private PipelineDocument() {}

  /** A document holding the request's parts and an empty {@code steps}. */
  public static ObjectNode of(InferenceRequest request) {
    ObjectNode doc = JSON.createObjectNode();
    doc.set("request", inputOf(request.getInput()));
    ObjectNode attributes = doc.putObject("attributes");
    Map<String, String> a = request.getAttributes();
    if (a != null) {
      a.forEach(attributes::put);
    }
    doc.set(
        "model",
        request.getModel() == null ? NullNode.getInstance() : TextNode.valueOf(request.getModel()));
    doc.putObject("steps");
    return doc;
  }

  /** The JSON view of a request input. */
  public static JsonNode inputOf(Object input) {
    if (input instanceof JsonInput j) {
      return parseLenient(j.getJson());
    }
    if (input instanceof ChatInput c) {
      ObjectNode out = JSON.createObjectNode();
      ArrayNode messages = out.putArray("messages");
      for (ChatMessage m : c.getMessages()) {
        ObjectNode mo = messages.addObject();
        mo.put("role", m.getRole().name().toLowerCase(Locale.ROOT));
        mo.put("content", m.getContent());
      }
      return out;
    }
    if (input instanceof CompletionInput p) {
      ObjectNode out = JSON.createObjectNode();
      out.put("prompt", p.getPrompt());
      return out;
    }
    return NullNode.getInstance();
  }

  /** The JSON view of a successful reply's output. */
  public static JsonNode outputOf(InferenceResponse response) {
    Object output = response.getOutput();
    if (output instanceof JsonOutput j) {
      return parseLenient(j.getJson());
    }
    if (output instanceof ChatOutput c) {
      ObjectNode out = JSON.createObjectNode();
      out.put("content", c.getMessage().getContent());
      out.put("role", c.getMessage().getRole().name().toLowerCase(Locale.ROOT));
      out.put("finishReason", c.getFinishReason());
      return out;
    }
    if (output instanceof CompletionOutput p) {
      ObjectNode out = JSON.createObjectNode();
      out.put("text", p.getText());
      out.put("finishReason", p.getFinishReason());
      return out;
    }
    return NullNode.getInstance();
  }

  /**
   * The Avro input of a step's request, rendered over {@code document}; a pass-through step gets
   * {@code original} itself.
   */
  public static Object stepInput(PipelineGraph.Step step, JsonNode document, Object original) {
    return switch (step.kind()) {
      case REQUEST -> original;
      case JSON -> JsonInput.newBuilder().setJson(write(step.input().render(document))).build();
      case PROMPT ->
          CompletionInput.newBuilder()
              .setPrompt(text(step.input().render(document)))
              .setSampling(sampling(step))
              .build();
      case CHAT -> {
        List<ChatMessage> messages = new ArrayList<>();
        for (PipelineGraph.ChatMessageTemplate m : step.chat()) {
          messages.add(
              ChatMessage.newBuilder()
                  .setRole(ChatRole.valueOf(m.role().toUpperCase(Locale.ROOT)))
                  .setContent(text(m.content().render(document)))
                  .build());
        }
        yield ChatInput.newBuilder().setMessages(messages).setSampling(sampling(step)).build();
      }
    };
  }

  private static SamplingParams sampling(PipelineGraph.Step step) {
    return SamplingParams.newBuilder()
        .setMaxTokens(step.maxTokens())
        .setTemperature(step.temperature())
        .build();
  }

  /** A string value as itself, anything else as its JSON text (null as the empty string). */
  static String text(JsonNode value) {
    if (value == null || value.isNull()) {
      return "";
    }
    return value.isTextual() ? value.textValue() : write(value);
  }

  /** JSON text of a value. */
  public static String write(JsonNode value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses JSON text; text that is not exactly one JSON value (empty, blank, malformed or followed
   * by more text) is kept as a string value.
   */
  public static JsonNode parseLenient(String text) {
    if (text == null) {
      return NullNode.getInstance();
    }
    try {
      JsonNode n = ONE_VALUE.readTree(text);
      // Empty or blank text is no JSON value (Jackson answers a missing node for it).
      return n == null || n.isMissingNode() ? TextNode.valueOf(text) : n;
    } catch (JsonProcessingException e) {
      return TextNode.valueOf(text);
    }
  }
}
