package io.sluice.functions.internal.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.functions.Batch;
import io.sluice.functions.FunctionException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Text helpers shared by the CPU example functions. */
final class TextInput {
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}']+");

  static final ObjectMapper JSON = new ObjectMapper();

  private TextInput() {}

  /**
   * The text of a request: JSON input {@code {"text": "..."}} or a JSON string, a completion
   * prompt, or the last user chat message. Missing or blank text is invalid input.
   */
  static String of(InferenceRequest request) {
    String text;
    if (request.getInput() instanceof JsonInput json) {
      JsonNode node;
      try {
        node = JSON.readTree(json.getJson());
      } catch (JsonProcessingException e) {
        throw FunctionException.invalidInput("input is not valid JSON: " + e.getOriginalMessage());
      }
      if (node != null && node.isTextual()) {
        text = node.asText();
      } else if (node != null && node.path("text").isTextual()) {
        text = node.get("text").asText();
      } else {
        throw FunctionException.invalidInput("JSON input needs a \"text\" string");
      }
    } else {
      text = Batch.text(request);
    }
    if (text == null || text.isBlank()) {
      throw FunctionException.invalidInput("no text to process");
    }
    return text;
  }

  /** NFKC, lower case, control characters removed, whitespace collapsed. */
  static String normalise(String text) {
    String n = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    n = n.replaceAll("\\p{Cntrl}", " ");
    return n.replaceAll("\\s+", " ").trim();
  }

  /** Words of normalised text: runs of letters and digits, inner apostrophes kept. */
  static List<String> tokens(String normalised) {
    List<String> out = new ArrayList<>();
    for (String t : NON_WORD.split(normalised, -1)) {
      String w = t.replaceAll("^'+|'+$", "");
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
