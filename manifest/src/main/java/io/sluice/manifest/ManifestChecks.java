package io.sluice.manifest;

import com.fasterxml.jackson.databind.JsonNode;
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
    ManifestLoader.fields(root.get("apps"))
        .forEach((name, a) -> checkApp(file, name, a, deployments.keySet(), problems));
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
      String file,
      String name,
      JsonNode app,
      Set<String> deployments,
      List<ManifestProblem> problems) {
    String at = "apps." + name + ".route";
    JsonNode route = app.path("route");
    JsonNode variants = route.path("variants");
    Set<String> names = new HashSet<>();
    double total = 0;
    // Walked only as lists: a map or scalar here is the schema's to report (found by fuzzing).
    for (int i = 0; variants.isArray() && i < variants.size(); i++) {
      JsonNode v = variants.get(i);
      if (!v.isObject() || !v.path("deployment").isTextual()) {
        continue; // the schema reports it
      }
      String vat = at + ".variants[" + i + "]";
      checkReference(file, v.get("deployment"), vat + ".deployment", deployments, problems);
      String variantName = v.has("name") ? v.get("name").asText() : v.get("deployment").asText();
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
      if (!shadows.get(i).path("deployment").isTextual()) {
        continue;
      }
      checkReference(
          file,
          shadows.get(i).get("deployment"),
          at + ".shadows[" + i + "].deployment",
          deployments,
          problems);
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
      for (String reserved : List.of("__", "sluice.requests.", "sluice.batches.", "sluice.dlq.")) {
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

  private static void checkReference(
      String file,
      JsonNode ref,
      String key,
      Set<String> deployments,
      List<ManifestProblem> problems) {
    String name = ref.asText();
    if (!deployments.contains(name)) {
      problems.add(
          ManifestLoader.problem(
              file,
              ref,
              key,
              "'"
                  + name
                  + "' is not a deployment in this file (deployments: "
                  + String.join(", ", new ArrayList<>(deployments))
                  + ")"));
    }
  }
}
