package io.sluice.autoscaler;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * HPA scaling rules for one direction ({@code behavior.scaleUp} or {@code behavior.scaleDown}).
 *
 * @param stabilizationWindow recommendations within this window are considered: scale-up takes the
 *     lowest, scale-down the highest
 * @param selectPolicy which policy wins when several apply
 * @param policies rate limits; with {@link SelectPolicy#MAX} the most permissive wins
 */
public record ScalingRules(
    Duration stabilizationWindow, SelectPolicy selectPolicy, List<ScalingPolicy> policies) {

  /** HPA's {@code selectPolicy}. */
  public enum SelectPolicy {
    /** The policy allowing the biggest change wins (the default). */
    MAX,
    /** The policy allowing the smallest change wins. */
    MIN,
    /** No scaling in this direction. */
    DISABLED
  }

  public ScalingRules {
    Objects.requireNonNull(stabilizationWindow, "stabilizationWindow");
    Objects.requireNonNull(selectPolicy, "selectPolicy");
    policies = List.copyOf(policies);
    // Kubernetes validates stabilizationWindowSeconds in [0, 3600].
    if (stabilizationWindow.isNegative()
        || stabilizationWindow.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "stabilizationWindow must be in [0s, 3600s], got " + stabilizationWindow);
    }
    if (policies.isEmpty() && selectPolicy != SelectPolicy.DISABLED) {
      throw new IllegalArgumentException("at least one policy is required unless DISABLED");
    }
  }

  /**
   * Kubernetes' default scale-up: no stabilisation; add 100% or 4 pods per 15 s, whichever is more.
   */
  public static ScalingRules defaultScaleUp() {
    return new ScalingRules(
        Duration.ZERO,
        SelectPolicy.MAX,
        List.of(
            ScalingPolicy.percent(100, Duration.ofSeconds(15)),
            ScalingPolicy.pods(4, Duration.ofSeconds(15))));
  }

  /** Kubernetes' default scale-down: 300 s stabilisation window; remove up to 100% per 15 s. */
  public static ScalingRules defaultScaleDown() {
    return new ScalingRules(
        Duration.ofSeconds(300),
        SelectPolicy.MAX,
        List.of(ScalingPolicy.percent(100, Duration.ofSeconds(15))));
  }

  /** The longest policy period, i.e. how long past scale events matter. */
  public Duration longestPeriod() {
    return policies.stream()
        .map(ScalingPolicy::period)
        .max(Duration::compareTo)
        .orElse(Duration.ZERO);
  }
}
