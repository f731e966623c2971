package io.sluice.schemas.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A compiled pipeline: its steps, what each reads, the output template. Built from the JSON form
 * shared by the manifest and {@code RouteConfig.pipelines} (docs/PIPELINES.md); every problem is
 * reported at once, each naming its step.
 */
public final class PipelineGraph {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One JSON value: text after it is an error, not silently dropped. */
  private static final ObjectReader ONE_VALUE =
      JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Step names are request-id suffixes and metric tags: short, no {@code /}. */
  public static final Pattern STEP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

  public static final int MAX_STEPS = 64;
  public static final long DEFAULT_TIMEOUT_SECONDS = 300;
  static final Set<String> PIPELINE_KEYS = Set.of("steps", "output", "timeoutSeconds");
  static final Set<String> STEP_KEYS =
      Set.of(
          "deployment",
          "input",
          "chat",
          "prompt",
          "maxTokens",
          "temperature",
          "when",
          "onFailure",
          "default",
          "stream");

  /** What a failed step does to its pipeline. */
  public enum OnFailure {
    FAIL,
    SKIP,
    DEFAULT
  }

  /** The kind of request a step sends. */
  public enum InputKind {
    /** The caller's own input, unchanged. */
    REQUEST,
    JSON,
    CHAT,
    PROMPT
  }

  /** One chat message of a {@code chat} step: a role and a content template. */
  public record ChatMessageTemplate(String role, Template content) {}

  /**
   * One step.
   *
   * @param reads the steps it waits for (referenced by its input or its condition)
   */
  public record Step(
      String name,
      int index,
      String deployment,
      InputKind kind,
      Template input,
      List<ChatMessageTemplate> chat,
      Integer maxTokens,
      Double temperature,
      Condition when,
      OnFailure onFailure,
      JsonNode defaultOutput,
      boolean stream,
      Set<String> reads) {}

  private final String name;
  private final List<Step> steps;
  private final Map<String, Step> byName;
  private final Template output;
  private final long timeoutMs;
  private final String json;

  private PipelineGraph(
      String name, List<Step> steps, Template output, long timeoutMs, String json) {
    this.name = name;
    this.steps = List.copyOf(steps);
    Map<String, Step> m = new LinkedHashMap<>();
    steps.forEach(s -> m.put(s.name(), s));
    this.byName = m;
    this.output = output;
    this.timeoutMs = timeoutMs;
    this.json = json;
  }

  /** Parses the JSON text of a pipeline (deployments are not checked). */
  public static PipelineGraph parse(String name, String json) {
    JsonNode node;
    try {
      node = ONE_VALUE.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidPipelineException(
          name,
          List.of(
              new PipelineProblem(
                  null, "", "not JSON: " + e.getOriginalMessage().replace('\n', ' '))));
    }
    return parse(name, node, d -> true);
  }

  /**
   * Compiles a pipeline definition.
   *
   * @param deployments which deployment names exist
   * @throws InvalidPipelineException listing every problem
   */
  public static PipelineGraph parse(
      String name, JsonNode definition, Predicate<String> deployments) {
    List<PipelineProblem> problems = new ArrayList<>();
    if (definition == null || !definition.isObject()) {
      throw new InvalidPipelineException(
          name, List.of(new PipelineProblem(null, "", "a pipeline is an object {steps, output}")));
    }
    definition
        .fieldNames()
        .forEachRemaining(
            k -> {
              if (!PIPELINE_KEYS.contains(k)) {
                problems.add(
                    new PipelineProblem(
                        null,
                        k,
                        "unknown key '" + k + "'; allowed: steps, output, timeoutSeconds"));
              }
            });
    long timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    JsonNode t = definition.get("timeoutSeconds");
    if (t != null) {
      if (!t.canConvertToLong() || !t.isIntegralNumber() || t.longValue() < 1) {
        problems.add(
            new PipelineProblem(null, "timeoutSeconds", "timeoutSeconds must be an integer >= 1"));
      } else {
        timeoutSeconds = t.longValue();
      }
    }
    JsonNode stepsNode = definition.get("steps");
    List<Step> steps = new ArrayList<>();
    if (stepsNode == null || !stepsNode.isObject() || stepsNode.isEmpty()) {
      problems.add(
          new PipelineProblem(null, "steps", "steps must be a non-empty map of step name -> step"));
    } else if (stepsNode.size() > MAX_STEPS) {
      problems.add(
          new PipelineProblem(null, "steps", "at most " + MAX_STEPS + " steps per pipeline"));
    } else {
      int[] index = {0};
      stepsNode
          .properties()
          .forEach(
              e -> steps.add(step(e.getKey(), index[0]++, e.getValue(), deployments, problems)));
    }
    Template output = null;
    JsonNode outputNode = definition.get("output");
    if (outputNode == null) {
      problems.add(
          new PipelineProblem(
              null, "output", "output is required: a template of the answer over step outputs"));
    } else {
      output = Template.compile(outputNode, null, "output", problems);
    }
    checkGraph(steps, output, problems);
    if (!problems.isEmpty()) {
      throw new InvalidPipelineException(name, problems);
    }
    String json;
    try {
      json = JSON.writeValueAsString(definition);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return new PipelineGraph(name, steps, output, timeoutSeconds * 1000, json);
  }

  private static Step step(
      String name,
      int index,
      JsonNode node,
      Predicate<String> deployments,
      List<PipelineProblem> problems) {
    String path = "steps." + name;
    String where = "step '" + name + "': ";
    if (!STEP_NAME.matcher(name).matches()) {
      problems.add(
          new PipelineProblem(
              name,
              path,
              where + "a step name is 1-63 letters, digits, '_' or '-', starting alphanumeric"));
    }
    if (node == null || !node.isObject()) {
      problems.add(
          new PipelineProblem(name, path, where + "a step is an object {deployment, ...}"));
      return new Step(
          name,
          index,
          "",
          InputKind.REQUEST,
          Template.wholeRequest(),
          List.of(),
          null,
          null,
          null,
          OnFailure.FAIL,
          null,
          false,
          Set.of());
    }
    node.fieldNames()
        .forEachRemaining(
            k -> {
              if (!STEP_KEYS.contains(k)) {
                problems.add(
                    new PipelineProblem(
                        name,
                        path + "." + k,
                        where
                            + "unknown key '"
                            + k
                            + "'; allowed: "
                            + String.join(", ", STEP_KEYS.stream().sorted().toList())));
              }
            });
    JsonNode d = node.get("deployment");
    String deployment = d != null && d.isTextual() ? d.textValue() : "";
    if (deployment.isEmpty()) {
      problems.add(
          new PipelineProblem(name, path + ".deployment", where + "deployment is required"));
    } else if (!deployments.test(deployment)) {
      problems.add(
          new PipelineProblem(
              name,
              path + ".deployment",
              where + "'" + deployment + "' is not a deployment in this file"));
    }
    Set<String> reads = new LinkedHashSet<>();
    List<String> kinds = new ArrayList<>();
    for (String k : List.of("input", "chat", "prompt")) {
      if (node.has(k)) {
        kinds.add(k);
      }
    }
    if (kinds.size() > 1) {
      problems.add(
          new PipelineProblem(
              name, path, where + "give one of input, chat or prompt, not " + kinds));
    }
    InputKind kind = InputKind.REQUEST;
    Template input = Template.wholeRequest();
    List<ChatMessageTemplate> chat = List.of();
    if (node.has("input")) {
      kind = InputKind.JSON;
      input = Template.compile(node.get("input"), name, path + ".input", problems);
    } else if (node.has("prompt")) {
      kind = InputKind.PROMPT;
      input = Template.compile(node.get("prompt"), name, path + ".prompt", problems);
    } else if (node.has("chat")) {
      kind = InputKind.CHAT;
      chat = chat(name, path + ".chat", node.get("chat"), problems);
      chat.forEach(m -> reads.addAll(m.content().stepsRead()));
    }
    reads.addAll(input.stepsRead());
    Integer maxTokens = null;
    if (node.has("maxTokens")) {
      JsonNode m = node.get("maxTokens");
      if (!m.isIntegralNumber() || !m.canConvertToInt() || m.intValue() < 1) {
        problems.add(
            new PipelineProblem(
                name, path + ".maxTokens", where + "maxTokens must be an integer >= 1"));
      } else {
        maxTokens = m.intValue();
      }
    }
    Double temperature = null;
    if (node.has("temperature")) {
      JsonNode m = node.get("temperature");
      if (!m.isNumber() || m.doubleValue() < 0) {
        problems.add(
            new PipelineProblem(
                name, path + ".temperature", where + "temperature must be a number >= 0"));
      } else {
        temperature = m.doubleValue();
      }
    }
    if ((maxTokens != null || temperature != null)
        && kind != InputKind.CHAT
        && kind != InputKind.PROMPT) {
      problems.add(
          new PipelineProblem(
              name, path, where + "maxTokens and temperature apply to chat or prompt steps"));
    }
    Condition when = null;
    if (node.has("when")) {
      when = Condition.compile(node.get("when"), name, path + ".when", problems);
      if (when != null) {
        reads.addAll(when.stepsRead());
      }
    }
    OnFailure onFailure = OnFailure.FAIL;
    JsonNode f = node.get("onFailure");
    if (f != null) {
      String v = f.isTextual() ? f.textValue() : "";
      switch (v) {
        case "fail" -> onFailure = OnFailure.FAIL;
        case "skip" -> onFailure = OnFailure.SKIP;
        case "default" -> onFailure = OnFailure.DEFAULT;
        default ->
            problems.add(
                new PipelineProblem(
                    name,
                    path + ".onFailure",
                    where + "onFailure is fail, skip or default, not " + f));
      }
    }
    JsonNode defaultOutput = node.get("default");
    if (onFailure == OnFailure.DEFAULT && defaultOutput == null) {
      problems.add(
          new PipelineProblem(
              name, path + ".default", where + "onFailure: default needs a 'default' output"));
    }
    if (defaultOutput != null && onFailure != OnFailure.DEFAULT) {
      problems.add(
          new PipelineProblem(
              name, path + ".default", where + "'default' is only used with onFailure: default"));
    }
    boolean stream = false;
    if (node.has("stream")) {
      JsonNode s = node.get("stream");
      if (!s.isBoolean()) {
        problems.add(new PipelineProblem(name, path + ".stream", where + "stream is true/false"));
      } else {
        stream = s.booleanValue();
      }
    }
    if (stream && kind != InputKind.CHAT && kind != InputKind.PROMPT && kind != InputKind.REQUEST) {
      problems.add(
          new PipelineProblem(
              name, path + ".stream", where + "only a chat, prompt or pass-through step streams"));
    }
    return new Step(
        name,
        index,
        deployment,
        kind,
        input,
        chat,
        maxTokens,
        temperature,
        when,
        onFailure,
        defaultOutput,
        stream,
        reads);
  }

  private static List<ChatMessageTemplate> chat(
      String step, String path, JsonNode node, List<PipelineProblem> problems) {
    String where = "step '" + step + "': ";
    if (!node.isArray() || node.isEmpty()) {
      problems.add(
          new PipelineProblem(
              step, path, where + "chat is a non-empty list of {role, content} messages"));
      return List.of();
    }
    List<ChatMessageTemplate> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode m = node.get(i);
      String at = path + "[" + i + "]";
      JsonNode role = m.get("role");
      Set<String> roles = Set.of("system", "user", "assistant", "developer", "tool");
      if (!m.isObject()
          || role == null
          || !role.isTextual()
          || !roles.contains(role.textValue())
          || !m.has("content")
          || m.size() != 2) {
        problems.add(
            new PipelineProblem(
                step,
                at,
                where
                    + "a chat message is {role, content} with role one of system, user,"
                    + " assistant, developer, tool"));
        continue;
      }
      out.add(
          new ChatMessageTemplate(
              role.textValue(),
              Template.compile(m.get("content"), step, at + ".content", problems)));
    }
    return out;
  }

  /** References to unknown steps, cycles, unread steps, streaming rules. */
  private static void checkGraph(
      List<Step> steps, Template output, List<PipelineProblem> problems) {
    Map<String, Step> byName = new LinkedHashMap<>();
    steps.forEach(s -> byName.put(s.name(), s));
    for (Step s : steps) {
      for (String r : s.reads()) {
        if (!byName.containsKey(r)) {
          problems.add(
              new PipelineProblem(
                  s.name(),
                  "steps." + s.name(),
                  "step '"
                      + s.name()
                      + "' reads step '"
                      + r
                      + "', which is not a step of this pipeline (steps: "
                      + String.join(", ", byName.keySet())
                      + ")"));
        } else if (r.equals(s.name())) {
          problems.add(
              new PipelineProblem(
                  s.name(), "steps." + s.name(), "step '" + s.name() + "' reads its own output"));
        }
      }
    }
    if (output != null) {
      for (String r : output.stepsRead()) {
        if (!byName.containsKey(r)) {
          problems.add(
              new PipelineProblem(
                  null,
                  "output",
                  "output reads step '"
                      + r
                      + "', which is not a step of this pipeline (steps: "
                      + String.join(", ", byName.keySet())
                      + ")"));
        }
      }
    }
    List<List<String>> cycles = cycles(byName);
    for (List<String> cycle : cycles) {
      problems.add(
          new PipelineProblem(
              cycle.get(0),
              "steps." + cycle.get(0),
              "steps "
                  + String.join(" -> ", cycle)
                  + " -> "
                  + cycle.get(0)
                  + " form a cycle: none of them can ever run"));
    }
    Set<String> read = new LinkedHashSet<>();
    if (output != null) {
      read.addAll(output.stepsRead());
    }
    steps.forEach(s -> read.addAll(s.reads()));
    List<Step> streaming = new ArrayList<>();
    for (Step s : steps) {
      if (!read.contains(s.name())) {
        problems.add(
            new PipelineProblem(
                s.name(),
                "steps." + s.name(),
                "step '"
                    + s.name()
                    + "' is unreachable from the answer: neither the output nor another step"
                    + " reads it, so it would run for nothing"));
      }
      if (s.stream()) {
        streaming.add(s);
        for (Step other : steps) {
          if (other.reads().contains(s.name())) {
            problems.add(
                new PipelineProblem(
                    s.name(),
                    "steps." + s.name() + ".stream",
                    "step '"
                        + s.name()
                        + "' streams to the caller, so no step may read it; '"
                        + other.name()
                        + "' does"));
          }
        }
      }
    }
    if (streaming.size() > 1) {
      problems.add(
          new PipelineProblem(
              streaming.get(1).name(),
              "steps." + streaming.get(1).name() + ".stream",
              "only one step may stream; "
                  + streaming.stream().map(Step::name).toList()
                  + " all set stream: true"));
    }
  }

  /** Each cycle once, as the list of its steps (depth-first over "reads" edges). */
  private static List<List<String>> cycles(Map<String, Step> byName) {
    List<List<String>> out = new ArrayList<>();
    Map<String, Integer> state = new HashMap<>(); // 1 = on the stack, 2 = done
    for (String start : byName.keySet()) {
      visit(start, byName, state, new ArrayList<>(), out);
    }
    return out;
  }

  private static void visit(
      String name,
      Map<String, Step> byName,
      Map<String, Integer> state,
      List<String> stack,
      List<List<String>> out) {
    Integer st = state.get(name);
    if (st != null && st == 2) {
      return;
    }
    if (st != null) {
      List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(name), stack.size()));
      if (cycle.size() > 1) {
        out.add(cycle); // a step reading itself is reported on its own
      }
      return;
    }
    state.put(name, 1);
    stack.add(name);
    for (String r : byName.get(name).reads()) {
      if (byName.containsKey(r) && !r.equals(name)) {
        visit(r, byName, state, stack, out);
      }
    }
    stack.remove(stack.size() - 1);
    state.put(name, 2);
  }

  public String name() {
    return name;
  }

  /** The steps, in declared order. */
  public List<Step> steps() {
    return steps;
  }

  /** The step called {@code name}, or null. */
  public Step step(String name) {
    return byName.get(name);
  }

  public Template output() {
    return output;
  }

  /** The bound of a run whose request has no deadline. */
  public long timeoutMs() {
    return timeoutMs;
  }

  /** The definition as JSON text (what {@code RouteConfig.pipelines} holds). */
  public String json() {
    return json;
  }

  /** Every deployment a step calls. */
  public Set<String> deployments() {
    Set<String> out = new LinkedHashSet<>();
    steps.forEach(s -> out.add(s.deployment()));
    return out;
  }
}
