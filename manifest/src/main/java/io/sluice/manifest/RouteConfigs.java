package io.sluice.manifest;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Shadow;
import io.sluice.avro.Stickiness;
import io.sluice.avro.Variant;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The route config (the record of {@code sluice.routes}) of each app: its route, with the batching
 * of every deployment it names taken from that deployment.
 */
public final class RouteConfigs {
  private RouteConfigs() {}

  /** One route config per app, in file order. */
  public static List<RouteConfig> of(Manifest m, Instant now) {
    return m.apps().values().stream().map(a -> of(m, a, now)).toList();
  }

  public static RouteConfig of(Manifest m, AppSpec app, Instant now) {
    AppSpec.Route r = app.route();
    Map<String, BatchingSettings> batching = new LinkedHashMap<>();
    for (String name : r.deployments()) {
      DeploymentSpec.Batching b = m.deployment(name).batching();
      batching.put(
          name,
          BatchingSettings.newBuilder()
              .setMaxBatchSize(b.maxBatchSize())
              .setMaxWaitMs(b.maxWaitMs())
              .setMaxBatchTokens(b.maxBatchTokens())
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
                            .setDeployment(v.deployment())
                            .setWeight(v.weight())
                            .build())
                .toList())
        .setShadows(
            r.shadows().stream()
                .map(
                    s ->
                        Shadow.newBuilder()
                            .setDeployment(s.deployment())
                            .setPercent(s.percent())
                            .build())
                .toList())
        .setStickiness(Stickiness.valueOf(r.stickiness().toUpperCase(Locale.ROOT)))
        .setStickinessAttribute(r.stickinessAttribute())
        .setSalt(r.salt())
        .setReplyTopic(r.replyTopic())
        .setBatching(batching)
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
