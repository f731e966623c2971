package io.sluice.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.manifest.DeploymentSpec.Backend;
import io.sluice.manifest.DeploymentSpec.Batching;
import io.sluice.manifest.DeploymentSpec.EnvValue;
import io.sluice.manifest.DeploymentSpec.Gpu;
import io.sluice.manifest.DeploymentSpec.HealthCheck;
import io.sluice.manifest.DeploymentSpec.Resources;
import io.sluice.manifest.DeploymentSpec.Scaling;
import io.sluice.manifest.DeploymentSpec.SecretRef;
import io.sluice.schemas.BulkWait;
import io.sluice.schemas.pipeline.PipelineGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a validated document into {@link Manifest} records. Plain defaults come from the schema's
 * {@code default} keywords, so each is written once; the defaults that depend on another key
 * (partitions from maxReplicas, say) are here, or in the shared rule they follow ({@link
 * BulkWait}).
 */
final class ManifestBinder {
  private static final JsonNode DEFINITIONS = ManifestSchema.at("/definitions");

  private ManifestBinder() {}

  static Manifest bind(String file, JsonNode root) {
    Map<String, DeploymentSpec> deployments = new LinkedHashMap<>();
    ManifestLoader.fields(root.get("deployments"))
        .forEach((name, d) -> deployments.put(name, deployment(name, d)));
    Map<String, AppSpec> apps = new LinkedHashMap<>();
    ManifestLoader.fields(root.get("apps")).forEach((name, a) -> apps.put(name, app(name, a)));
    // Already compiled once by ManifestChecks: a problem here is a bug, not bad input.
    Map<String, PipelineGraph> pipelines = new LinkedHashMap<>();
    ManifestLoader.fields(root.get("pipelines"))
        .forEach(
            (name, p) ->
                pipelines.put(name, PipelineGraph.parse(name, p, deployments::containsKey)));
    return new Manifest(file, deployments, apps, pipelines);
  }

  private static DeploymentSpec deployment(String name, JsonNode d) {
    Map<String, String> params = new LinkedHashMap<>();
    ManifestLoader.fields(d.get("params")).forEach((k, v) -> params.put(k, v.asText()));
    JsonNode b = d.path("backend");
    SecretRef apiKey =
        b.has("apiKeySecret")
            ? new SecretRef(
                b.get("apiKeySecret").get("name").asText(),
                b.get("apiKeySecret").get("key").asText())
            : null;
    Backend backend =
        new Backend(text(b, "url"), text(b, "model"), apiKey, integer(b, "backend", "timeoutMs"));
    JsonNode bt = d.path("batching");
    long maxWaitMs = integer(bt, "batching", "maxWaitMs");
    Batching batching =
        new Batching(
            integer(bt, "batching", "maxBatchSize"),
            maxWaitMs,
            bt.has("maxBatchTokens") ? bt.get("maxBatchTokens").asInt() : null,
            BulkWait.resolve(
                maxWaitMs, bt.has("bulkMaxWaitMs") ? bt.get("bulkMaxWaitMs").asLong() : null));
    JsonNode s = d.path("scaling");
    int min = integer(s, "scaling", "minReplicas");
    int max = integer(s, "scaling", "maxReplicas");
    int downscaleDelay = integer(s, "scaling", "downscaleDelaySeconds");
    Scaling scaling =
        new Scaling(
            min,
            max,
            s.has("initialReplicas") ? s.get("initialReplicas").asInt() : min,
            s.has("targetLagPerReplica") ? s.get("targetLagPerReplica").asLong() : null,
            s.has("targetOngoingRequests") ? s.get("targetOngoingRequests").asDouble() : null,
            integer(s, "scaling", "upscaleDelaySeconds"),
            downscaleDelay,
            s.has("downscaleToZeroDelaySeconds")
                ? s.get("downscaleToZeroDelaySeconds").asInt()
                : downscaleDelay,
            number(s, "scaling", "upscalingFactor"),
            number(s, "scaling", "downscalingFactor"),
            integer(s, "scaling", "pollingIntervalSeconds"));
    JsonNode r = d.get("resources");
    Resources resources = r == null ? null : new Resources(text(r, "cpu"), text(r, "memory"));
    JsonNode h = d.path("healthCheck");
    HealthCheck health =
        new HealthCheck(
            integer(h, "healthCheck", "periodSeconds"),
            integer(h, "healthCheck", "timeoutSeconds"));
    return new DeploymentSpec(
        name,
        d.get("function").asText(),
        params,
        backend,
        batching,
        d.has("maxOngoingRequests") ? d.get("maxOngoingRequests").asInt() : batching.maxBatchSize(),
        d.has("delivery")
            ? d.get("delivery").asText()
            : defaultOf("deployment", "delivery").asText(),
        d.has("partitions") ? d.get("partitions").asInt() : max,
        scaling,
        resources,
        gpu(d.get("gpu")),
        health,
        integer(d, "deployment", "gracefulShutdownSeconds"));
  }

  private static Gpu gpu(JsonNode g) {
    if (g == null) {
      return null;
    }
    int count = integer(g, "gpu", "count");
    List<String> args = new ArrayList<>();
    g.path("extraArgs").forEach(a -> args.add(a.asText()));
    Map<String, EnvValue> env = new LinkedHashMap<>();
    ManifestLoader.fields(g.get("env"))
        .forEach(
            (k, v) ->
                env.put(
                    k,
                    v.isTextual()
                        ? new EnvValue(v.asText(), null, null)
                        : new EnvValue(
                            null, v.get("secretName").asText(), v.get("secretKey").asText())));
    return new Gpu(
        count,
        text(g, "type"),
        g.get("model").asText(),
        g.has("maxModelLen") ? g.get("maxModelLen").asInt() : null,
        g.has("gpuMemoryUtilization") ? g.get("gpuMemoryUtilization").asDouble() : null,
        g.has("tensorParallelSize") ? g.get("tensorParallelSize").asInt() : count,
        args,
        env);
  }

  private static AppSpec app(String name, JsonNode a) {
    int partitions = integer(a, "app", "partitions");
    if (a.has("pipeline")) {
      AppSpec.Variant main =
          new AppSpec.Variant("main", null, a.get("pipeline").asText(), variantDefault("weight"));
      AppSpec.Route route =
          new AppSpec.Route(
              List.of(main),
              List.of(),
              defaultOf("route", "stickiness").asText(),
              null,
              name,
              null);
      return new AppSpec(name, partitions, route);
    }
    JsonNode r = a.get("route");
    List<AppSpec.Variant> variants = new ArrayList<>();
    for (JsonNode v : r.get("variants")) {
      String deployment = text(v, "deployment");
      String pipeline = text(v, "pipeline");
      variants.add(
          new AppSpec.Variant(
              v.has("name") ? v.get("name").asText() : deployment != null ? deployment : pipeline,
              deployment,
              pipeline,
              v.has("weight") ? v.get("weight").asDouble() : variantDefault("weight")));
    }
    List<AppSpec.Shadow> shadows = new ArrayList<>();
    for (JsonNode s : r.path("shadows")) {
      shadows.add(
          new AppSpec.Shadow(
              text(s, "deployment"),
              text(s, "pipeline"),
              s.has("percent")
                  ? s.get("percent").asDouble()
                  : routeItemDefault("shadows", "percent")));
    }
    AppSpec.Route route =
        new AppSpec.Route(
            variants,
            shadows,
            r.has("stickiness")
                ? r.get("stickiness").asText()
                : defaultOf("route", "stickiness").asText(),
            text(r, "stickinessAttribute"),
            r.has("salt") ? r.get("salt").asText() : name,
            text(r, "replyTopic"));
    return new AppSpec(name, partitions, route);
  }

  private static String text(JsonNode n, String field) {
    return n.has(field) ? n.get(field).asText() : null;
  }

  private static int integer(JsonNode n, String definition, String field) {
    return n.has(field) ? n.get(field).asInt() : defaultOf(definition, field).asInt();
  }

  private static double number(JsonNode n, String definition, String field) {
    return n.has(field) ? n.get(field).asDouble() : defaultOf(definition, field).asDouble();
  }

  private static double variantDefault(String field) {
    return routeItemDefault("variants", field);
  }

  private static double routeItemDefault(String list, String field) {
    return DEFINITIONS
        .path("route")
        .path("properties")
        .path(list)
        .path("items")
        .path("properties")
        .path(field)
        .path("default")
        .asDouble();
  }

  /** The schema's {@code default} of a key; a key without one is a bug in the schema. */
  static JsonNode defaultOf(String definition, String field) {
    JsonNode def = DEFINITIONS.path(definition).path("properties").path(field).path("default");
    if (def.isMissingNode()) {
      throw new IllegalStateException(
          "the manifest schema gives no default for " + definition + "." + field);
    }
    return def;
  }
}
