package io.sluice.manifest;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Shadow;
import io.sluice.avro.Stickiness;
import io.sluice.avro.Variant;
import io.sluice.schemas.pipeline.PipelineGraph;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The route config (the record of {@code sluice.routes}) of each app: its route, the JSON of every
 * pipeline it runs, and the batching of every deployment it sends to (directly or as a pipeline
 * step) taken from that deployment.
 */
public final class RouteConfigs {
  private RouteConfigs() {}

  /** One route config per app, in file order. */
  public static List<RouteConfig> of(Manifest m, Instant now) {
    return m.apps().values().stream().map(a -> of(m, a, now)).toList();
  }

  /** The route config of one app of {@code m}. */
  public static RouteConfig of(Manifest m, AppSpec app, Instant now) {
    AppSpec.Route r = app.route();
    Map<String, String> pipelines = new LinkedHashMap<>();
    // The router batches step requests with the app's route limits, so every step deployment needs
    // its batching here too.
    Set<String> deployments = new LinkedHashSet<>(r.deployments());
    for (String name : r.pipelines()) {
      PipelineGraph p = m.pipeline(name);
      pipelines.put(name, p.json());
      deployments.addAll(p.deployments());
    }
    Map<String, BatchingSettings> batching = new LinkedHashMap<>();
    for (String name : deployments) {
      DeploymentSpec.Batching b = m.deployment(name).batching();
      batching.put(
          name,
          BatchingSettings.newBuilder()
              .setMaxBatchSize(b.maxBatchSize())
              .setMaxWaitMs(b.maxWaitMs())
              .setMaxBatchTokens(b.maxBatchTokens())
              // Resolved, so the route table says what is in force.
              .setBulkMaxWaitMs(b.bulkMaxWaitMs())
              .build());
    }
    return RouteConfig.newBuilder()
        .setApp(app.name())
        .setVariants(
            r.variants().stream()
                .map(
                    v ->
                        Variant.newBuilder()
                            .setName(v.name())
                            .setDeployment(v.deployment() == null ? "" : v.deployment())
                            .setPipeline(v.pipeline())
                            .setWeight(v.weight())
                            .build())
                .toList())
        .setShadows(
            r.shadows().stream()
                .map(
                    s ->
                        Shadow.newBuilder()
                            .setDeployment(s.deployment() == null ? "" : s.deployment())
                            .setPipeline(s.pipeline())
                            .setPercent(s.percent())
                            .build())
                .toList())
        .setStickiness(Stickiness.valueOf(r.stickiness().toUpperCase(Locale.ROOT)))
        .setStickinessAttribute(r.stickinessAttribute())
        .setSalt(r.salt())
        .setReplyTopic(r.replyTopic())
        .setBatching(batching)
        .setPipelines(pipelines)
        .setUpdatedAtMs(now)
        .build();
  }

  /** Whether two configs route alike, ignoring when each was set. */
  public static boolean sameRoute(RouteConfig a, RouteConfig b) {
    RouteConfig x = RouteConfig.newBuilder(a).setUpdatedAtMs(Instant.EPOCH).build();
    RouteConfig y = RouteConfig.newBuilder(b).setUpdatedAtMs(Instant.EPOCH).build();
    return x.equals(y);
  }
}
