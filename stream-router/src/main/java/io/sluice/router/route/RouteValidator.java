package io.sluice.router.route;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Shadow;
import io.sluice.avro.Stickiness;
import io.sluice.avro.Variant;
import io.sluice.schemas.BulkWait;
import io.sluice.schemas.Topics;
import io.sluice.schemas.pipeline.InvalidPipelineException;
import io.sluice.schemas.pipeline.PipelineGraph;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a {@link RouteConfig} before it is published and again when the router reads it. Every
 * problem is reported with the field it concerns, e.g. {@code variants[1].weight: -2.0 is
 * negative}.
 */
public final class RouteValidator {
  private RouteValidator() {}

  /** The problems of a config; empty when it is valid. */
  public static List<String> problems(RouteConfig c) {
    List<String> p = new ArrayList<>();
    checkName(p, "app", c.getApp());
    Set<String> deployments = new HashSet<>();
    Set<String> names = new HashSet<>();
    List<Variant> variants = c.getVariants();
    if (variants == null || variants.isEmpty()) {
      p.add("variants: at least one variant is required");
    } else {
      double total = 0;
      for (int i = 0; i < variants.size(); i++) {
        Variant v = variants.get(i);
        String at = "variants[" + i + "]";
        if (v.getName() == null || v.getName().isBlank()) {
          p.add(at + ".name: must not be empty");
        } else if (!names.add(v.getName())) {
          p.add(at + ".name: '" + v.getName() + "' is used twice");
        }
        target(p, at, v.getDeployment(), v.getPipeline(), c, deployments);
        double w = v.getWeight();
        if (Double.isNaN(w) || Double.isInfinite(w)) {
          p.add(at + ".weight: " + w + " is not a finite number");
        } else if (w < 0) {
          p.add(at + ".weight: " + w + " is negative");
        } else {
          total += w;
        }
      }
      if (total <= 0 && p.stream().noneMatch(s -> s.contains(".weight"))) {
        p.add("variants: the weights add up to 0; at least one must be positive");
      }
    }
    List<Shadow> shadows = c.getShadows() == null ? List.of() : c.getShadows();
    for (int i = 0; i < shadows.size(); i++) {
      Shadow s = shadows.get(i);
      String at = "shadows[" + i + "]";
      target(p, at, s.getDeployment(), s.getPipeline(), c, deployments);
      double pct = s.getPercent();
      if (Double.isNaN(pct) || pct < 0 || pct > 100) {
        p.add(at + ".percent: " + pct + " is outside 0..100");
      }
    }
    if (c.getStickiness() == Stickiness.ATTRIBUTE
        && (c.getStickinessAttribute() == null || c.getStickinessAttribute().isBlank())) {
      p.add("stickinessAttribute: required when stickiness is ATTRIBUTE");
    }
    Map<String, String> pipelines = c.getPipelines() == null ? Map.of() : c.getPipelines();
    for (Map.Entry<String, String> e : pipelines.entrySet()) {
      try {
        deployments.addAll(PipelineGraph.parse(e.getKey(), e.getValue()).deployments());
      } catch (InvalidPipelineException ex) {
        ex.problems().forEach(q -> p.add("pipelines." + e.getKey() + "." + q));
      }
    }
    Map<String, BatchingSettings> batching = c.getBatching() == null ? Map.of() : c.getBatching();
    for (Map.Entry<String, BatchingSettings> e : batching.entrySet()) {
      String at = "batching." + e.getKey();
      if (!deployments.contains(e.getKey())) {
        p.add(at + ": deployment '" + e.getKey() + "' is not named by any variant or shadow");
      }
      BatchingSettings b = e.getValue();
      if (b.getMaxBatchSize() < 1) {
        p.add(at + ".maxBatchSize: " + b.getMaxBatchSize() + " must be at least 1");
      }
      if (b.getMaxWaitMs() < 0) {
        p.add(at + ".maxWaitMs: " + b.getMaxWaitMs() + " must be 0 or more");
      }
      if (b.getMaxBatchTokens() != null && b.getMaxBatchTokens() < 1) {
        p.add(at + ".maxBatchTokens: " + b.getMaxBatchTokens() + " must be at least 1 or absent");
      }
      if (b.getBulkMaxWaitMs() != null) {
        String why = BulkWait.problem(b.getMaxWaitMs(), b.getBulkMaxWaitMs());
        if (why != null) {
          p.add(at + ".bulkMaxWaitMs: " + why);
        }
      }
    }
    if (c.getReplyTopic() != null) {
      checkName(p, "replyTopic", c.getReplyTopic());
    }
    return p;
  }

  /** A variant's or shadow's target: a deployment, or a pipeline of this config. */
  private static void target(
      List<String> p,
      String at,
      String deployment,
      String pipeline,
      RouteConfig c,
      Set<String> deployments) {
    if (pipeline == null) {
      if (checkName(p, at + ".deployment", deployment)) {
        deployments.add(deployment);
      }
      return;
    }
    if (deployment != null && !deployment.isEmpty()) {
      p.add(at + ": names both deployment '" + deployment + "' and pipeline '" + pipeline + "'");
    }
    if (c.getPipelines() == null || !c.getPipelines().containsKey(pipeline)) {
      p.add(at + ".pipeline: '" + pipeline + "' is not in pipelines");
    }
  }

  private static boolean checkName(List<String> p, String field, String name) {
    try {
      Topics.checkName(field, name);
      return true;
    } catch (IllegalArgumentException e) {
      p.add(field + ": " + e.getMessage());
      return false;
    }
  }
}
