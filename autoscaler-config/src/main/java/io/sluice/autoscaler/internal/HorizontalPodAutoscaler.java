package io.sluice.autoscaler.internal;

import io.sluice.autoscaler.ScalingConfig;
import io.sluice.autoscaler.ScalingPolicy;
import io.sluice.autoscaler.ScalingRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Kubernetes HPA controller's decision for one external metric of type {@code AverageValue}
 * (what KEDA creates for a Kafka trigger), with {@code spec.behavior}: replica calculation with
 * tolerance, stabilisation windows, rate-limiting policies and min/max clamping, after {@code
 * pkg/controller/podautoscaler/horizontal.go}.
 *
 * <p>Holds the controller's memory for one HPA: past recommendations and past scale events. One
 * instance per deployment, one caller at a time.
 */
public final class HorizontalPodAutoscaler {

  /** The outcome of one reconcile: the replicas to set and why. */
  public record Result(int desiredReplicas, int metricRecommendation, String reason) {}

  private record Recommendation(int replicas, Instant at) {}

  private record ScaleEvent(int change, Instant at) {}

  private final ScalingConfig config;
  private final List<Recommendation> recommendations = new ArrayList<>();
  private final List<ScaleEvent> scaleUpEvents = new ArrayList<>();
  private final List<ScaleEvent> scaleDownEvents = new ArrayList<>();

  public HorizontalPodAutoscaler(ScalingConfig config) {
    this.config = config;
  }

  /**
   * The replica calculator for an external {@code AverageValue} metric: {@code ceil(metric /
   * target)}, unless the usage ratio {@code metric / (target * current)} is within the tolerance of
   * 1, in which case the current count stays. Values are handled in milli-units as the metrics API
   * carries them.
   */
  public static int replicasForAverageValue(
      int currentReplicas, long metric, long targetPerReplica, double tolerance) {
    double usage = metric * 1000.0;
    double target = targetPerReplica * 1000.0;
    double usageRatio = usage / (target * currentReplicas);
    if (Math.abs(1.0 - usageRatio) > tolerance) {
      return (int) Math.ceil(usage / target);
    }
    return currentReplicas;
  }

  /**
   * One HPA sync while the target has {@code currentReplicas > 0} (at zero the HPA is inactive and
   * KEDA decides). Records the scale event when the result differs from the current count, as the
   * controller does after it rescales.
   */
  public Result reconcile(int currentReplicas, long metric, Instant now) {
    if (currentReplicas <= 0) {
      throw new IllegalArgumentException("the HPA does not act at 0 replicas");
    }
    int min = config.hpaMinReplicas();
    int max = config.maxReplicaCount();
    Result result;
    if (currentReplicas > max) {
      result = new Result(max, -1, "Current number of replicas above Spec.MaxReplicas");
    } else if (currentReplicas < min) {
      result = new Result(min, -1, "Current number of replicas below Spec.MinReplicas");
    } else {
      int proposed =
          replicasForAverageValue(
              currentReplicas, metric, config.lagThreshold(), config.tolerance());
      int stabilized = stabilize(currentReplicas, proposed, now);
      result = limitRate(currentReplicas, stabilized, proposed, now);
    }
    if (result.desiredReplicas() != currentReplicas) {
      recordScale(currentReplicas, result.desiredReplicas(), now);
    }
    return result;
  }

  /**
   * Stabilisation: scale up no further than the lowest recommendation within the scale-up window,
   * scale down no further than the highest within the scale-down window. Both windows apply at
   * every sync (Kubernetes >= 1.23 behaviour).
   */
  private int stabilize(int current, int proposed, Instant now) {
    Instant upCutoff = now.minus(config.behavior().scaleUp().stabilizationWindow());
    Instant downCutoff = now.minus(config.behavior().scaleDown().stabilizationWindow());
    int upRecommendation = proposed;
    int downRecommendation = proposed;
    for (Recommendation rec : recommendations) {
      if (rec.at().isAfter(upCutoff)) {
        upRecommendation = Math.min(rec.replicas(), upRecommendation);
      }
      if (rec.at().isAfter(downCutoff)) {
        downRecommendation = Math.max(rec.replicas(), downRecommendation);
      }
    }
    int recommendation = current;
    if (recommendation < upRecommendation) {
      recommendation = upRecommendation;
    }
    if (recommendation > downRecommendation) {
      recommendation = downRecommendation;
    }
    // The controller overwrites a sample older than both windows; dropping all such samples is
    // equivalent because they can never enter a window again.
    recommendations.removeIf(r -> r.at().isBefore(upCutoff) && r.at().isBefore(downCutoff));
    recommendations.add(new Recommendation(proposed, now));
    return recommendation;
  }

  private Result limitRate(int current, int desired, int proposed, Instant now) {
    if (desired > current) {
      int scaleUpLimit = Math.max(current, scaleUpLimit(current, now));
      int max = config.maxReplicaCount();
      if (desired > Math.min(max, scaleUpLimit)) {
        return scaleUpLimit < max
            ? new Result(scaleUpLimit, proposed, "ScaleUpLimit")
            : new Result(max, proposed, "TooManyReplicas");
      }
    } else if (desired < current) {
      int scaleDownLimit = Math.min(current, scaleDownLimit(current, now));
      int min = config.hpaMinReplicas();
      if (desired < Math.max(min, scaleDownLimit)) {
        return scaleDownLimit > min
            ? new Result(scaleDownLimit, proposed, "ScaleDownLimit")
            : new Result(min, proposed, "TooFewReplicas");
      }
    }
    String reason =
        desired == proposed
            ? "DesiredWithinRange"
            : (proposed > current ? "ScaleUpStabilized" : "ScaleDownStabilized");
    return new Result(desired, proposed, reason);
  }

  private int scaleUpLimit(int current, Instant now) {
    ScalingRules rules = config.behavior().scaleUp();
    if (rules.selectPolicy() == ScalingRules.SelectPolicy.DISABLED) {
      return current;
    }
    boolean pickMin = rules.selectPolicy() == ScalingRules.SelectPolicy.MIN;
    int result = pickMin ? Integer.MAX_VALUE : Integer.MIN_VALUE;
    for (ScalingPolicy policy : rules.policies()) {
      int periodStart = periodStartReplicas(current, policy.period(), now);
      int proposed =
          policy.type() == ScalingPolicy.Type.PODS
              ? periodStart + policy.value()
              // Rounded up, or a small count would never grow.
              : (int) Math.ceil(periodStart * (1 + policy.value() / 100.0));
      result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
    }
    return result;
  }

  private int scaleDownLimit(int current, Instant now) {
    ScalingRules rules = config.behavior().scaleDown();
    if (rules.selectPolicy() == ScalingRules.SelectPolicy.DISABLED) {
      return current;
    }
    boolean pickMin = rules.selectPolicy() == ScalingRules.SelectPolicy.MIN;
    int result = pickMin ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    for (ScalingPolicy policy : rules.policies()) {
      int periodStart = periodStartReplicas(current, policy.period(), now);
      int proposed =
          policy.type() == ScalingPolicy.Type.PODS
              ? periodStart - policy.value()
              // Truncated, as Go's int32(float64) conversion does.
              : (int) (periodStart * (1 - policy.value() / 100.0));
      // For scale-down the "smallest change" (MIN) is the highest count.
      result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return result;
  }

  /** Replicas at the start of the policy period: current minus what was added, plus removed. */
  private int periodStartReplicas(int current, Duration period, Instant now) {
    Instant cutoff = now.minus(period);
    return current - changeSince(scaleUpEvents, cutoff) + changeSince(scaleDownEvents, cutoff);
  }

  private static int changeSince(List<ScaleEvent> events, Instant cutoff) {
    return events.stream().filter(e -> e.at().isAfter(cutoff)).mapToInt(ScaleEvent::change).sum();
  }

  private void recordScale(int from, int to, Instant now) {
    Duration longest =
        Stream.of(
                config.behavior().scaleUp().longestPeriod(),
                config.behavior().scaleDown().longestPeriod())
            .max(Duration::compareTo)
            .orElseThrow();
    Instant obsolete = now.minus(longest);
    scaleUpEvents.removeIf(e -> e.at().isBefore(obsolete));
    scaleDownEvents.removeIf(e -> e.at().isBefore(obsolete));
    if (to > from) {
      scaleUpEvents.add(new ScaleEvent(to - from, now));
    } else {
      scaleDownEvents.add(new ScaleEvent(from - to, now));
    }
  }
}
