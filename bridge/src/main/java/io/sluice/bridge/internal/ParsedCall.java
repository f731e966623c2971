package io.sluice.bridge.internal;

import io.sluice.avro.Priority;
import java.util.Map;

/**
 * What an HTTP body asks for, validated, before it becomes an {@code InferenceRequest}.
 *
 * @param app the app called (path segment, or OpenAI's {@code model})
 * @param input a {@code ChatInput}, {@code CompletionInput} or {@code JsonInput}
 * @param stream whether the caller wants chunks as they are generated
 * @param priority the scheduling class asked for, or null for the route's default
 * @param timeoutMs the timeout the body asks for, or null
 * @param attributes caller metadata copied into the request
 */
public record ParsedCall(
    String app,
    Object input,
    boolean stream,
    Priority priority,
    Long timeoutMs,
    Map<String, String> attributes) {
  public ParsedCall {
    attributes = Map.copyOf(attributes);
  }
}
