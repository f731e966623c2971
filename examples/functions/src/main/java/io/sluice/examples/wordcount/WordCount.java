package io.sluice.examples.wordcount;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.functions.Batch;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.FunctionException;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code word-count}: counts the words of a text and names the most frequent ones.
 *
 * <p>Input: JSON {@code {"text": "..."}} or a JSON string (the HTTP bridge's {@code "input"}), a
 * completion prompt, or a chat's last user message. Output, one JSON document per request (here for
 * "The quick brown fox jumps over the lazy dog" and {@code top} 2):
 *
 * <pre>{@code
 * {"words": 9, "unique": 8, "top": [{"word": "the", "count": 2}, {"word": "quick", "count": 1}]}
 * }</pre>
 *
 * <p>Setting (the manifest's {@code params}, {@code sluice.function.top} for a worker): {@code
 * top}, how many words to list, default 3.
 */
public final class WordCount implements SluiceFunction {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NOT_A_WORD = Pattern.compile("[^\\p{L}\\p{N}']+");

  private int top = 3;

  @Override
  public void open(FunctionContext context) {
    top = context.intParameter("top", 3);
    if (top < 0) {
      throw new IllegalArgumentException("function parameter 'top' must be >= 0, got " + top);
    }
  }

  @Override
  public List<ItemResult> apply(Batch batch) {
    // One result per request, in order; an exception fails only its own item.
    return batch.map(request -> ItemResult.json(count(text(request)).toString()));
  }

  ObjectNode count(String text) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    int words = 0;
    for (String token : NOT_A_WORD.split(text.toLowerCase(Locale.ROOT))) {
      String word = token.replaceAll("^'+|'+$", "");
      if (!word.isEmpty()) {
        counts.merge(word, 1, Integer::sum);
        words++;
      }
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("words", words);
    out.put("unique", counts.size());
    ArrayNode list = out.putArray("top");
    counts.entrySet().stream()
        // Most frequent first; ties in order of first appearance (the map keeps it).
        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
        .limit(top)
        .forEach(e -> list.addObject().put("word", e.getKey()).put("count", e.getValue()));
    return out;
  }

  /** The request's text; missing or blank text is the caller's mistake (no retry). */
  static String text(InferenceRequest request) {
    String text = Batch.text(request);
    if (request.getInput() instanceof JsonInput) {
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        throw FunctionException.invalidInput("input is not JSON: " + e.getOriginalMessage());
      }
      JsonNode field = node.isTextual() ? node : node.path("text");
      if (!field.isTextual()) {
        throw FunctionException.invalidInput("give the input as {\"text\": \"...\"} or a string");
      }
      text = field.asText();
    }
    if (text.isBlank()) {
      throw FunctionException.invalidInput("no text to count");
    }
    return text;
  }
}
