package io.sluice.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.schemas.BulkWait;
import io.sluice.schemas.pipeline.InvalidPipelineException;
import io.sluice.schemas.pipeline.PipelineGraph;
import io.sluice.schemas.pipeline.PipelineProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the JSON Schema cannot say: references between sections, names unique within a list, sums
 * and ranges that depend on another key. Runs beside the schema, so one pass reports both kinds; it
 * skips whatever the schema already reports as malformed.
 */
final class ManifestChecks {
  private ManifestChecks() {}

  static void check(String file, JsonNode root, List<ManifestProblem> problems) {
    Map<String, JsonNode> deployments = ManifestLoader.fields(root.get("deployments"));
    deployments.forEach((name, d) -> checkDeployment(file, name, d, problems));
    Map<String, JsonNode> pipelines = ManifestLoader.fields(root.get("pipelines"));
    List<ManifestProblem> fromSchema = List.copyOf(problems);
    pipelines.forEach(
        (name, p) -> checkPipeline(file, name, p, deployments.keySet(), fromSchema, problems));
    Targets targets = new Targets(deployments.keySet(), pipelines.keySet());
    ManifestLoader.fields(root.get("apps"))
        .forEach((name, a) -> checkApp(file, name, a, targets, problems));
  }

  /** What a route may name. */
  private record Targets(Set<String> deployments, Set<String> pipelines) {}

  /**
   * Compiles a pipeline with the same compiler the router uses, so the file is refused for exactly
   * what the router would refuse; each problem is placed at its node (or the nearest one there is).
   */
  private static void checkPipeline(
      String file,
      String name,
      JsonNode pipeline,
      Set<String> deployments,
      List<ManifestProblem> fromSchema,
      List<ManifestProblem> problems) {
    try {
      PipelineGraph.parse(name, pipeline, deployments::contains);
    } catch (InvalidPipelineException e) {
      String at = "pipelines." + name;
      for (PipelineProblem q : e.problems()) {
        String path = q.path() == null ? "" : q.path();
        String key = path.isEmpty() ? at : path.startsWith("[") ? at + path : at + "." + path;
        if (!reportedBySchema(key, fromSchema) && !badStepName(at, q.step(), fromSchema)) {
          problems.add(ManifestLoader.problem(file, locate(pipeline, path), key, q.message()));
        }
      }
    }
  }

  /** Keys the schema requires in a pipeline or step: missing, the schema names their parent. */
  private static final Set<String> REQUIRED = required();

  private static Set<String> required() {
    Set<String> out = new HashSet<>();
    for (String d : List.of("pipeline", "step")) {
      ManifestSchema.at("/definitions/" + d + "/required").forEach(r -> out.add(r.asText()));
    }
    return out;
  }

  /**
   * Whether the schema already reported what the compiler found: the same key; the parent of a
   * required key; a list item's key (a chat message) whose field the schema names; or a step name
   * the schema's propertyNames rejected. Shape errors stay the schema's, worded once.
   */
  private static boolean reportedBySchema(String key, List<ManifestProblem> fromSchema) {
    int cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
    String parent = cut > 0 ? key.substring(0, cut) : "";
    String last = cut > 0 ? key.substring(cut + 1) : key;
    for (ManifestProblem s : fromSchema) {
      String k = s.key();
      if (k.equals(key)
          || (k.equals(parent) && (REQUIRED.contains(last) || parent.endsWith(".steps")))
          || (key.endsWith("]") && (k.startsWith(key + ".") || k.startsWith(key + "[")))) {
        return true;
      }
    }
    return false;
  }

  /** A step whose name the schema rejected: its other problems wait until it is renamed. */
  private static boolean badStepName(String at, String step, List<ManifestProblem> fromSchema) {
    return step != null
        && !PipelineGraph.STEP_NAME.matcher(step).matches()
        && fromSchema.stream().anyMatch(s -> s.key().equals(at + ".steps"));
  }

  /**
   * The node a compiler path ({@code steps.x.chat[1].content}) names, or its nearest ancestor that
   * exists. Object keys are matched against the tree, so a key with a dot in it is still found.
   */
  static JsonNode locate(JsonNode root, String path) {
    JsonNode node = root;
    String rest = path;
    while (!rest.isEmpty()) {
      if (rest.startsWith("[")) {
        int close = rest.indexOf(']');
        if (close < 0 || !node.isArray()) {
          break;
        }
        int index;
        try {
          index = Integer.parseInt(rest.substring(1, close));
        } catch (NumberFormatException e) {
          break;
        }
        if (index < 0 || index >= node.size()) {
          break;
        }
        node = node.get(index);
        rest = rest.substring(close + 1);
        continue;
      }
      if (rest.startsWith(".")) {
        rest = rest.substring(1);
      }
      if (!node.isObject()) {
        break;
      }
      String match = null;
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String f = e.getKey();
        boolean fits = rest.equals(f) || rest.startsWith(f + ".") || rest.startsWith(f + "[");
        if (fits && (match == null || f.length() > match.length())) {
          match = f;
        }
      }
      if (match == null) {
        break;
      }
      node = node.get(match);
      rest = rest.substring(match.length());
    }
    return node;
  }

  private static void checkDeployment(
      String file, String name, JsonNode d, List<ManifestProblem> problems) {
    String at = "deployments." + name;
    JsonNode s = d.path("scaling");
    int min = s.path("minReplicas").asInt(0);
    int max = s.path("maxReplicas").asInt(4);
    if (min > max) {
      problems.add(
          ManifestLoader.problem(
              file,
              s.get("minReplicas"),
              at + ".scaling.minReplicas",
              min + " is more than maxReplicas (" + max + ")"));
    }
    if (s.path("initialReplicas").isIntegralNumber()) {
      int initial = s.get("initialReplicas").asInt();
      if (initial < min || initial > max) {
        problems.add(
            ManifestLoader.problem(
                file,
                s.get("initialReplicas"),
                at + ".scaling.initialReplicas",
                initial + " is outside minReplicas..maxReplicas (" + min + ".." + max + ")"));
      }
    }
    if (s.has("targetLagPerReplica") && s.has("targetOngoingRequests")) {
      problems.add(
          ManifestLoader.problem(
              file,
              s.get("targetOngoingRequests"),
              at + ".scaling.targetOngoingRequests",
              "give targetLagPerReplica or targetOngoingRequests, not both"));
    }
    if (d.path("partitions").isIntegralNumber() && d.get("partitions").asInt() < max) {
      problems.add(
          ManifestLoader.problem(
              file,
              d.get("partitions"),
              at + ".partitions",
              d.get("partitions").asInt()
                  + " is fewer than scaling.maxReplicas ("
                  + max
                  + "): no more replicas than partitions can consume; use at least "
                  + max));
    }
    JsonNode bt = d.path("batching");
    if (bt.path("bulkMaxWaitMs").isIntegralNumber()) {
      long maxWait =
          bt.path("maxWaitMs").isIntegralNumber()
              ? bt.get("maxWaitMs").asLong()
              : ManifestBinder.defaultOf("batching", "maxWaitMs").asLong();
      long bulk = bt.get("bulkMaxWaitMs").asLong();
      // The range is the schema's to report; only the bound on maxWaitMs is left here.
      if (bulk >= 0 && bulk <= BulkWait.MAX_MS) {
        String why = BulkWait.problem(maxWait, bulk);
        if (why != null) {
          problems.add(
              ManifestLoader.problem(
                  file, bt.get("bulkMaxWaitMs"), at + ".batching.bulkMaxWaitMs", why));
        }
      }
    }
    JsonNode gpu = d.get("gpu");
    if (gpu != null
        && gpu.path("tensorParallelSize").isIntegralNumber()
        && gpu.get("tensorParallelSize").asInt() >= 1) {
      int count = gpu.path("count").asInt(1);
      int tp = gpu.get("tensorParallelSize").asInt();
      if (tp > count || count % tp != 0) {
        problems.add(
            ManifestLoader.problem(
                file,
                gpu.get("tensorParallelSize"),
                at + ".gpu.tensorParallelSize",
                tp + " must divide gpu.count (" + count + ")"));
      }
    }
    if (gpu != null && d.path("backend").has("url")) {
      problems.add(
          ManifestLoader.problem(
              file,
              d.path("backend").get("url"),
              at + ".backend.url",
              "a deployment with gpu calls its own vLLM sidecar; drop backend.url or gpu"));
    }
  }

  private static void checkApp(
      String file, String name, JsonNode app, Targets targets, List<ManifestProblem> problems) {
    Set<String> deployments = targets.deployments();
    if (app.path("pipeline").isTextual()) {
      checkDeclared(
          "pipeline",
          file,
          app.get("pipeline"),
          "apps." + name + ".pipeline",
          targets.pipelines(),
          problems);
    }
    String at = "apps." + name + ".route";
    JsonNode route = app.path("route");
    JsonNode variants = route.path("variants");
    Set<String> names = new HashSet<>();
    double total = 0;
    // Walked only as lists: a map or scalar here is the schema's to report (found by fuzzing).
    for (int i = 0; variants.isArray() && i < variants.size(); i++) {
      JsonNode v = variants.get(i);
      boolean toDeployment = v.path("deployment").isTextual();
      boolean toPipeline = v.path("pipeline").isTextual();
      if (!v.isObject() || toDeployment == toPipeline) {
        continue; // the schema reports it
      }
      String vat = at + ".variants[" + i + "]";
      if (toDeployment) {
        checkDeclared(
            "deployment", file, v.get("deployment"), vat + ".deployment", deployments, problems);
      } else {
        checkDeclared(
            "pipeline", file, v.get("pipeline"), vat + ".pipeline", targets.pipelines(), problems);
      }
      String variantName =
          v.has("name")
              ? v.get("name").asText()
              : (toDeployment ? v.get("deployment") : v.get("pipeline")).asText();
      if (!names.add(variantName)) {
        problems.add(
            ManifestLoader.problem(
                file,
                v.has("name") ? v.get("name") : v,
                vat + ".name",
                "'" + variantName + "' names two variants; give each a different name"));
      }
      total += v.path("weight").asDouble(1.0);
    }
    if (total <= 0 && variants.isArray() && variants.size() > 0) {
      problems.add(
          ManifestLoader.problem(
              file,
              variants,
              at + ".variants",
              "the weights add up to 0; at least one must be more than 0"));
    }
    JsonNode shadows = route.path("shadows");
    for (int i = 0; shadows.isArray() && i < shadows.size(); i++) {
      JsonNode shadow = shadows.get(i);
      if (shadow.path("deployment").isTextual()) {
        checkDeclared(
            "deployment",
            file,
            shadow.get("deployment"),
            at + ".shadows[" + i + "].deployment",
            deployments,
            problems);
      }
      if (shadow.path("pipeline").isTextual()) {
        checkDeclared(
            "pipeline",
            file,
            shadow.get("pipeline"),
            at + ".shadows[" + i + "].pipeline",
            targets.pipelines(),
            problems);
      }
    }
    boolean attribute = "attribute".equals(route.path("stickiness").asText());
    if (attribute && !route.has("stickinessAttribute")) {
      problems.add(
          ManifestLoader.problem(
              file,
              route.get("stickiness"),
              at + ".stickinessAttribute",
              "required with stickiness: attribute (the attribute whose value keeps a caller on"
                  + " one variant)"));
    } else if (!attribute && route.has("stickinessAttribute")) {
      problems.add(
          ManifestLoader.problem(
              file,
              route.get("stickinessAttribute"),
              at + ".stickinessAttribute",
              "only used with stickiness: attribute"));
    }
    if (route.has("replyTopic")) {
      String topic = route.get("replyTopic").asText();
      for (String reserved :
          List.of("__", "sluice.requests.", "sluice.batches.", "sluice.dlq.", "sluice.pipeline.")) {
        if (topic.startsWith(reserved) || topic.equals("sluice.routes")) {
          problems.add(
              ManifestLoader.problem(
                  file,
                  route.get("replyTopic"),
                  at + ".replyTopic",
                  "'" + topic + "' is a Kafka or Sluice internal topic; replies cannot go there"));
          break;
        }
      }
    }
  }

  /** A reference to a {@code kind} (deployment, pipeline) must name one the file declares. */
  private static void checkDeclared(
      String kind,
      String file,
      JsonNode ref,
      String key,
      Set<String> declared,
      List<ManifestProblem> problems) {
    String name = ref.asText();
    if (!declared.contains(name)) {
      problems.add(
          ManifestLoader.problem(
              file,
              ref,
              key,
              "'"
                  + name
                  + "' is not a "
                  + kind
                  + " in this file ("
                  + (declared.isEmpty()
                      ? "it declares no " + kind + "s"
                      : kind + "s: " + String.join(", ", new ArrayList<>(declared)))
                  + ")"));
    }
  }
}
