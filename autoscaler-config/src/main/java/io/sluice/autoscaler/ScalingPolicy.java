package io.sluice.autoscaler;

import java.time.Duration;
import java.util.Objects;

/**
 * One HPA scaling policy ({@code behavior.scaleUp.policies[]} or {@code scaleDown.policies[]}): at
 * most {@code value} pods or {@code value} percent of the replicas at the start of the period may
 * be added (or removed) within {@code period}.
 */
public record ScalingPolicy(Type type, int value, Duration period) {

  /** {@code Pods} or {@code Percent}, as in {@code autoscaling/v2}. */
  public enum Type {
    PODS,
    PERCENT
  }

  public ScalingPolicy {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(period, "period");
    if (value <= 0) {
      throw new IllegalArgumentException("policy value must be > 0, got " + value);
    }
    // Kubernetes validates periodSeconds in (0, 1800].
    if (period.isNegative() || period.isZero() || period.compareTo(Duration.ofMinutes(30)) > 0) {
      throw new IllegalArgumentException("policy period must be in (0s, 1800s], got " + period);
    }
  }

  public static ScalingPolicy pods(int value, Duration period) {
    return new ScalingPolicy(Type.PODS, value, period);
  }

  public static ScalingPolicy percent(int value, Duration period) {
    return new ScalingPolicy(Type.PERCENT, value, period);
  }
}
