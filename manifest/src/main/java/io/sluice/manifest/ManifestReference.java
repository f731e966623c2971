package io.sluice.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the manifest's reference page ({@code docs/MANIFEST.md}) from its JSON Schema, so the page
 * cannot drift from what the loader accepts. A test compares the committed page with this output.
 */
public final class ManifestReference {
  private ManifestReference() {}

  /** The page, in Markdown. */
  public static String markdown() {
    JsonNode schema = ManifestSchema.tree();
    JsonNode defs = schema.get("definitions");
    StringBuilder sb = new StringBuilder();
    sb.append("# The manifest: `sluice.yaml`\n\n")
        .append("<!-- Generated from manifest/src/main/resources")
        .append(ManifestSchema.RESOURCE.substring(ManifestSchema.RESOURCE.indexOf("/io/")))
        .append(" by io.sluice.manifest.ManifestReference; do not edit by hand. ")
        .append("Regenerate: ./mvnw -q -pl manifest -am test -Dtest=ManifestReferenceTest")
        .append(" -Dsluice.regenerate=true -->\n\n")
        .append(schema.get("description").asText())
        .append("\n\n")
        .append(
            "Unknown keys are errors. Every error names the file, line, key and what is allowed,"
                + " e.g. `sluice.yaml:14:33: apps.chat.route.variants[1].deployment: 'chat-c' is"
                + " not a deployment in this file (deployments: chat-a, chat-b)`. The example is"
                + " [`examples/sluice.yaml`](../examples/sluice.yaml).\n\n")
        .append("```sh\n")
        .append("./sluice validate -f sluice.yaml              # check it, offline\n")
        .append("./sluice dev -f sluice.yaml                   # run it locally\n")
        .append("./sluice apply -f sluice.yaml [--dry-run]     # apply it to a cluster\n")
        .append(
            "./sluice status -f sluice.yaml                # what is in force, what would change\n")
        .append("helm install sluice helm/sluice --set-file manifest=sluice.yaml\n")
        .append("```\n\n");
    section(sb, "Top level", schema, defs);
    for (String name :
        List.of(
            "deployment",
            "backend",
            "batching",
            "scaling",
            "resources",
            "gpu",
            "healthCheck",
            "app",
            "route",
            "pipeline",
            "step")) {
      section(sb, "`" + name + "`", defs.get(name), defs);
    }
    sb.append(RAY_SERVE);
    return sb.toString();
  }

  private static void section(StringBuilder sb, String title, JsonNode s, JsonNode defs) {
    sb.append("## ").append(title).append("\n\n");
    if (s.has("description") && !"Top level".equals(title)) {
      sb.append(s.get("description").asText()).append("\n\n");
    }
    List<String> required = new ArrayList<>();
    s.path("required").forEach(r -> required.add(r.asText()));
    sb.append("| key | type | default | meaning |\n| --- | --- | --- | --- |\n");
    for (Map.Entry<String, JsonNode> e : s.get("properties").properties()) {
      JsonNode p = e.getValue();
      sb.append("| `")
          .append(e.getKey())
          .append("`")
          .append(required.contains(e.getKey()) ? " (required)" : "")
          .append(" | ")
          .append(type(p, defs))
          .append(" | ")
          .append(p.has("default") ? "`" + p.get("default") + "`" : "")
          .append(" | ")
          .append(description(p, defs).replace("|", "\\|").replace("\n", " "))
          .append(" |\n");
    }
    sb.append('\n');
  }

  private static String type(JsonNode p, JsonNode defs) {
    if (p.has("$ref")) {
      String ref = p.get("$ref").asText().substring("#/definitions/".length());
      return "name".equals(ref)
          ? "name"
          : "[`" + ref + "`](#" + ref.toLowerCase(java.util.Locale.ROOT) + ")";
    }
    if (p.has("const")) {
      return "`" + p.get("const").asText() + "`";
    }
    if (p.has("enum")) {
      List<String> values = new ArrayList<>();
      p.get("enum").forEach(v -> values.add("`" + v.asText() + "`"));
      return String.join(" \\| ", values);
    }
    if (!p.has("type")) {
      return "any"; // a template: any JSON value
    }
    String t = p.path("type").isArray() ? p.get("type").toString() : p.path("type").asText();
    if ("object".equals(t)
        && p.has("additionalProperties")
        && p.get("additionalProperties").has("$ref")) {
      return "map of " + type(p.get("additionalProperties"), defs);
    }
    if ("array".equals(t) && p.has("items")) {
      return "list";
    }
    StringBuilder range = new StringBuilder(t);
    if (p.has("minimum") || p.has("exclusiveMinimum") || p.has("maximum")) {
      range.append(" ");
      range.append(
          p.has("minimum")
              ? p.get("minimum").asText()
              : "> " + p.path("exclusiveMinimum").asText(""));
      range.append("..").append(p.path("maximum").asText(""));
    }
    return range.toString();
  }

  private static String description(JsonNode p, JsonNode defs) {
    if (p.has("description")) {
      return p.get("description").asText();
    }
    if (p.has("$ref")) {
      JsonNode d = defs.path(p.get("$ref").asText().substring("#/definitions/".length()));
      return d.path("description").asText("");
    }
    return "";
  }

  private static final String RAY_SERVE =
      """
      ## Coming from Ray Serve

      A Ray Serve config (`serve run config.yaml`, a RayService's `serveConfigV2`) maps onto the
      manifest like this. Sluice queues *batches* on Kafka, so targets on requests are converted
      at full batches.

      | Ray Serve | Sluice manifest | in a cluster (KEDA / HPA) |
      | --- | --- | --- |
      | `applications[].name`, `route_prefix` | `apps.<name>` (`/v1/apps/<name>/infer`, OpenAI `model`) | request topic `sluice.requests.<name>` |
      | `deployments[].name` | `deployments.<name>` | worker Deployment + ScaledObject |
      | `import_path` | `deployments.<name>.function` (a `FunctionProvider`; yours with `--functions`) | worker argument |
      | `user_config` | `deployments.<name>.params` | `sluice.function.<key>` |
      | `num_replicas` (fixed) | `scaling.minReplicas` = `scaling.maxReplicas` | `minReplicaCount` = `maxReplicaCount` |
      | `autoscaling_config.min_replicas` | `scaling.minReplicas` | `minReplicaCount` |
      | `autoscaling_config.max_replicas` | `scaling.maxReplicas` | `maxReplicaCount` |
      | `autoscaling_config.initial_replicas` | `scaling.initialReplicas` | Deployment `replicas` at install |
      | `autoscaling_config.target_ongoing_requests` | `scaling.targetOngoingRequests` | `lagThreshold` = max(1, round(target / maxBatchSize)) |
      | (none: Ray has no queue to measure) | `scaling.targetLagPerReplica` | `lagThreshold` |
      | `autoscaling_config.upscale_delay_s` | `scaling.upscaleDelaySeconds` | `behavior.scaleUp.stabilizationWindowSeconds` |
      | `autoscaling_config.downscale_delay_s` | `scaling.downscaleDelaySeconds` | `behavior.scaleDown.stabilizationWindowSeconds` |
      | `autoscaling_config.downscale_to_zero_delay_s` | `scaling.downscaleToZeroDelaySeconds` | `cooldownPeriod` |
      | `autoscaling_config.upscaling_factor` | `scaling.upscalingFactor` | scaleUp Percent policy = factor × 100 per 15 s |
      | `autoscaling_config.downscaling_factor` | `scaling.downscalingFactor` | scaleDown Percent policy = factor × 100 per 15 s |
      | `autoscaling_config.metrics_interval_s` | `scaling.pollingIntervalSeconds` | `pollingInterval` |
      | `max_ongoing_requests` | `maxOngoingRequests` | requests at once per worker, a batch counting its requests (`sluice.worker.max-ongoing-requests`) |
      | `@serve.batch(max_batch_size, batch_wait_timeout_s)` | `batching.maxBatchSize`, `batching.maxWaitMs` (`batching.bulkMaxWaitMs` for batch jobs' BULK lines) | the router's micro-batcher |
      | `ray_actor_options.num_cpus`, `memory` | `resources.cpu`, `resources.memory` | container requests (memory also the limit) |
      | `ray_actor_options.num_gpus` | `gpu.count` | `nvidia.com/gpu` on the vLLM sidecar |
      | `health_check_period_s`, `health_check_timeout_s` | `healthCheck.periodSeconds`, `healthCheck.timeoutSeconds` | probe `periodSeconds`, `timeoutSeconds` |
      | `graceful_shutdown_timeout_s` | `gracefulShutdownSeconds` | worker drain; `terminationGracePeriodSeconds` adds a margin |
      | `engine_kwargs` of `ray.serve.llm` (`max_model_len`, `gpu_memory_utilization`, `tensor_parallel_size`) | `gpu.maxModelLen`, `gpu.gpuMemoryUtilization`, `gpu.tensorParallelSize`, `gpu.extraArgs` | vLLM sidecar arguments |

      Sluice has no equivalent of `max_queued_requests` per deployment: requests wait on Kafka,
      durably; the bridge's admission limit (`sluice.bridge.max-in-flight`) bounds what one bridge
      holds open.

      ## What needs a restart

      `sluice apply` changes routes (weights, shadows, batching) live: the router reads
      `sluice.routes` as it changes. New apps and deployments get their topics at once; a running
      router starts consuming a new request topic within its metadata refresh. In a cluster, the
      chart re-renders workers and ScaledObjects on `helm upgrade`. In `./sluice dev`, see
      `devstack/README.md` for which edits take effect live.

      ## Later sections

      Pipelines are described in [docs/PIPELINES.md](PIPELINES.md) (references, conditions, how
      the router runs them). Batch-job settings are added later; until then those keys are
      rejected as unknown.
      """;
}
