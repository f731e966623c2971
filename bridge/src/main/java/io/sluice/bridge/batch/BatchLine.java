package io.sluice.bridge.batch;

import java.util.Map;

/**
 * One checked line of a batch input file ({@code {"custom_id", "method": "POST", "url", "body"}}),
 * its body already parsed by the route its {@code url} names.
 *
 * @param line the 1-based line number in the file
 * @param customId the caller's id of the line, echoed in its output line
 * @param endpoint the route the line calls
 * @param app the app it calls ({@code model} of an OpenAI body, or the app in the path)
 * @param input the request's input: a {@code ChatInput}, {@code CompletionInput} or {@code
 *     JsonInput}, as the sync route would send it
 * @param attributes attributes the sync route would copy into the request ({@code user}, Sluice's
 *     {@code attributes})
 */
public record BatchLine(
    int line,
    String customId,
    BatchEndpoint endpoint,
    String app,
    Object input,
    Map<String, String> attributes) {
  public BatchLine {
    attributes = Map.copyOf(attributes);
  }
}
