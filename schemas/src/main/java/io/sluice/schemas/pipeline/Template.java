package io.sluice.schemas.pipeline;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON value in which strings starting with {@code $/} are references (JSON pointers into the
 * pipeline document) and strings starting with {@code $$} are literals without their first {@code
 * $}. Compiled once; {@link #render} replaces each reference by what it points at ({@code null}
 * when absent).
 */
public final class Template {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Top-level keys of the document a reference may start with. */
  static final Set<String> ROOTS = Set.of("request", "attributes", "model", "steps");

  private final Node root;
  private final Set<String> stepsRead;

  private Template(Node root, Set<String> stepsRead) {
    this.root = root;
    this.stepsRead = Set.copyOf(stepsRead);
  }

  /** A template that is the whole request input. */
  static Template wholeRequest() {
    return new Template(new Ref(JsonPointer.compile("/request")), Set.of());
  }

  /**
   * Compiles {@code value}; malformed references are added to {@code problems} (the template then
   * renders them as null).
   */
  static Template compile(
      JsonNode value, String step, String path, List<PipelineProblem> problems) {
    Set<String> steps = new LinkedHashSet<>();
    Node root = node(value, step, path, problems, steps);
    return new Template(root, steps);
  }

  /** The steps this template references. */
  public Set<String> stepsRead() {
    return stepsRead;
  }

  /** The rendered value over {@code document}. */
  public JsonNode render(JsonNode document) {
    return root.render(document);
  }

  private static Node node(
      JsonNode value, String step, String path, List<PipelineProblem> problems, Set<String> steps) {
    if (value == null || value.isNull()) {
      return new Literal(NullNode.getInstance());
    }
    if (value.isTextual()) {
      String s = value.textValue();
      if (s.startsWith("$$")) {
        return new Literal(TextNode.valueOf(s.substring(1)));
      }
      if (s.startsWith("$")) {
        JsonPointer pointer = reference(s, step, path, problems);
        if (pointer == null) {
          return new Literal(NullNode.getInstance());
        }
        String stepName = stepOf(pointer);
        if (stepName != null) {
          steps.add(stepName);
        }
        return new Ref(pointer);
      }
      return new Literal(value);
    }
    if (value.isObject()) {
      Map<String, Node> fields = new LinkedHashMap<>();
      value
          .properties()
          .forEach(
              e ->
                  fields.put(
                      e.getKey(),
                      node(e.getValue(), step, path + "." + e.getKey(), problems, steps)));
      return new Obj(fields);
    }
    if (value.isArray()) {
      List<Node> items = new ArrayList<>();
      for (int i = 0; i < value.size(); i++) {
        items.add(node(value.get(i), step, path + "[" + i + "]", problems, steps));
      }
      return new Arr(items);
    }
    return new Literal(value);
  }

  /** Parses a {@code $/...} reference, or adds a problem and returns null. */
  static JsonPointer reference(
      String text, String step, String path, List<PipelineProblem> problems) {
    String where = step == null ? "" : "step '" + step + "': ";
    if (!text.startsWith("$/")) {
      problems.add(
          new PipelineProblem(
              step,
              path,
              where
                  + "'"
                  + text
                  + "' is not a reference: a reference is $ followed by a JSON pointer"
                  + " ($/steps/<step>/..., $/request/...); write $$ for a literal $"));
      return null;
    }
    JsonPointer pointer;
    try {
      pointer = JsonPointer.compile(text.substring(1));
    } catch (IllegalArgumentException e) {
      problems.add(
          new PipelineProblem(
              step, path, where + "'" + text + "' is not a JSON pointer: " + e.getMessage()));
      return null;
    }
    String first = pointer.getMatchingProperty();
    if (!ROOTS.contains(first)) {
      problems.add(
          new PipelineProblem(
              step,
              path,
              where
                  + "reference '"
                  + text
                  + "' must start with /request, /attributes, /model or /steps/<step>"));
      return null;
    }
    if (first.equals("steps") && pointer.tail().matches()) {
      problems.add(
          new PipelineProblem(
              step, path, where + "reference '" + text + "' must name a step: $/steps/<step>"));
      return null;
    }
    return pointer;
  }

  /** The step a pointer reads ({@code /steps/<name>/...}), or null. */
  static String stepOf(JsonPointer pointer) {
    if (!"steps".equals(pointer.getMatchingProperty())) {
      return null;
    }
    JsonPointer rest = pointer.tail();
    return rest == null || rest.matches() ? null : rest.getMatchingProperty();
  }

  private interface Node {
    JsonNode render(JsonNode document);
  }

  private record Literal(JsonNode value) implements Node {
    @Override
    public JsonNode render(JsonNode document) {
      return value;
    }
  }

  private record Ref(JsonPointer pointer) implements Node {
    @Override
    public JsonNode render(JsonNode document) {
      JsonNode found = document.at(pointer);
      return found.isMissingNode() ? NullNode.getInstance() : found;
    }
  }

  private record Obj(Map<String, Node> fields) implements Node {
    @Override
    public JsonNode render(JsonNode document) {
      ObjectNode out = NODES.objectNode();
      fields.forEach((k, v) -> out.set(k, v.render(document)));
      return out;
    }
  }

  private record Arr(List<Node> items) implements Node {
    @Override
    public JsonNode render(JsonNode document) {
      ArrayNode out = NODES.arrayNode();
      items.forEach(i -> out.add(i.render(document)));
      return out;
    }
  }
}
