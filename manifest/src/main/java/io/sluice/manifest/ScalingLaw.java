package io.sluice.manifest;

import io.sluice.autoscaler.OffsetResetPolicy;
import io.sluice.autoscaler.ScalingBehavior;
import io.sluice.autoscaler.ScalingConfig;
import io.sluice.autoscaler.ScalingPolicy;
import io.sluice.autoscaler.ScalingRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A deployment's scaling settings in KEDA's and the HPA's terms: the one mapping from the
 * manifest's Ray Serve-like names. The dev stack runs the law with this {@link ScalingConfig}; the
 * chart's {@code sluice.scaling} helper renders the same numbers into the ScaledObject (a chart
 * test compares them).
 *
 * <ul>
 *   <li>targetLagPerReplica, or targetOngoingRequests / maxBatchSize → {@code lagThreshold}
 *   <li>minReplicas / maxReplicas → {@code minReplicaCount} / {@code maxReplicaCount}
 *   <li>downscaleToZeroDelaySeconds → {@code cooldownPeriod}
 *   <li>upscaleDelaySeconds / downscaleDelaySeconds → the HPA's stabilisation windows
 *   <li>upscalingFactor / downscalingFactor → Percent policies per {@value #POLICY_PERIOD_SECONDS}
 *       s (scale-up also allows 4 pods per period when the factor is 1 or more, as the HPA's own
 *       default does)
 *   <li>pollingIntervalSeconds → {@code pollingInterval}
 * </ul>
 */
public final class ScalingLaw {
  /** Period of the HPA rate-limit policies, the Kubernetes default. */
  public static final int POLICY_PERIOD_SECONDS = 15;

  private ScalingLaw() {}

  public static ScalingConfig of(DeploymentSpec d) {
    DeploymentSpec.Scaling s = d.scaling();
    Duration period = Duration.ofSeconds(POLICY_PERIOD_SECONDS);
    List<ScalingPolicy> up = new ArrayList<>();
    up.add(ScalingPolicy.percent(percent(s.upscalingFactor()), period));
    if (s.upscalingFactor() >= 1.0) {
      up.add(ScalingPolicy.pods(4, period));
    }
    return ScalingConfig.builder()
        .lagThreshold(d.lagThreshold())
        .minReplicaCount(s.minReplicas())
        .maxReplicaCount(s.maxReplicas())
        // As the workers' auto.offset.reset: a request written before the first worker joined is
        // still served, and an empty topic with no commits counts as idle (scale to zero works).
        .offsetResetPolicy(OffsetResetPolicy.EARLIEST)
        .cooldownPeriod(Duration.ofSeconds(s.downscaleToZeroDelaySeconds()))
        .pollingInterval(Duration.ofSeconds(s.pollingIntervalSeconds()))
        .behavior(
            new ScalingBehavior(
                new ScalingRules(
                    Duration.ofSeconds(s.upscaleDelaySeconds()), ScalingRules.SelectPolicy.MAX, up),
                new ScalingRules(
                    Duration.ofSeconds(s.downscaleDelaySeconds()),
                    ScalingRules.SelectPolicy.MAX,
                    List.of(ScalingPolicy.percent(percent(s.downscalingFactor()), period)))))
        .build();
  }

  /** A factor as an HPA Percent policy value: round(factor x 100), at least 1. */
  public static int percent(double factor) {
    return (int) Math.max(1, Math.round(factor * 100));
  }
}
