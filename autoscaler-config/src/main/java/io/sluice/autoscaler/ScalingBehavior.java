package io.sluice.autoscaler;

import java.util.Objects;

/** HPA {@code spec.behavior}: rules for scaling up and for scaling down. */
public record ScalingBehavior(ScalingRules scaleUp, ScalingRules scaleDown) {

  public ScalingBehavior {
    Objects.requireNonNull(scaleUp, "scaleUp");
    Objects.requireNonNull(scaleDown, "scaleDown");
  }

  /** What an HPA does when {@code behavior} is not set (and what KEDA passes by default). */
  public static ScalingBehavior kubernetesDefault() {
    return new ScalingBehavior(ScalingRules.defaultScaleUp(), ScalingRules.defaultScaleDown());
  }
}
