package io.sluice.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.autoscaler.internal.HorizontalPodAutoscaler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HPA replica calculator and behaviour normalisation, checked in isolation. */
class HorizontalPodAutoscalerTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  @ParameterizedTest(name = "{0} replicas, metric {1}, target {2} -> {3}")
  @CsvSource({
    // current, metric, target, expected
    "1, 0, 10, 0", // ratio 0: ceil(0) = 0, min clamp comes later
    "1, 25, 10, 3", // ceil(2.5)
    "3, 31, 10, 3", // ratio 1.033: within 10% tolerance, unchanged
    "3, 33, 10, 4", // |1 - 1.1| is 0.10000000000000009 in floating point: just over
    "3, 34, 10, 4", // ratio 1.133: ceil(3.4)
    "4, 37, 10, 4", // ratio 0.925: within tolerance
    "4, 35, 10, 4", // ratio 0.875: ceil(3.5) = 4 anyway
    "10, 91, 10, 10", // ratio 0.91: within tolerance
    "10, 89, 10, 9", // ratio 0.89: ceil(8.9)
    "2, 1000, 10, 100",
  })
  void replicaCalculatorUsesCeilAndTenPercentTolerance(
      int current, long metric, long target, int expected) {
    assertThat(HorizontalPodAutoscaler.replicasForAverageValue(current, metric, target, 0.1))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "from {0} with metric {1}: {2}")
  @CsvSource({
    // current, lag (threshold 10, max 100), expected after one sync with default behaviour
    "1, 1000, 5", // max(1 * 200%, 1 + 4) = 5
    "2, 1000, 6", // max(4, 6)
    "4, 1000, 8", // max(8, 8)
    "10, 1000, 20", // max(20, 14)
    "60, 1000, 100", // max(120, 64) but maxReplicaCount 100
  })
  void defaultScaleUpAllowsDoubleOrFourPodsPerFifteenSeconds(int current, long lag, int expected) {
    HorizontalPodAutoscaler hpa =
        new HorizontalPodAutoscaler(ScalingConfig.builder().maxReplicaCount(100).build());

    assertThat(hpa.reconcile(current, lag, T0).desiredReplicas()).isEqualTo(expected);
  }

  @Test
  void scaleUpPolicyPeriodCountsReplicasAlreadyAdded() {
    HorizontalPodAutoscaler hpa = new HorizontalPodAutoscaler(ScalingConfig.builder().build());

    int a = hpa.reconcile(1, 1000, T0).desiredReplicas();
    // 5 s later the 4 pods added at T0 still count against the 15 s period.
    HorizontalPodAutoscaler.Result b = hpa.reconcile(a, 1000, T0.plusSeconds(5));
    // At exactly T0 + 15 s the event falls out of the period (strictly after the cutoff counts).
    int c = hpa.reconcile(b.desiredReplicas(), 1000, T0.plusSeconds(15)).desiredReplicas();

    assertThat(a).isEqualTo(5);
    assertThat(b.desiredReplicas()).isEqualTo(5);
    assertThat(b.reason()).isEqualTo("ScaleUpLimit");
    assertThat(c).isEqualTo(10);
  }

  @Test
  void scaleDownWaitsForTheWholeStabilisationWindowThenGoesToMin() {
    HorizontalPodAutoscaler hpa = new HorizontalPodAutoscaler(ScalingConfig.builder().build());

    int replicas = hpa.reconcile(4, 40, T0).desiredReplicas();
    for (int s = 15; s < 300; s += 15) {
      replicas = hpa.reconcile(replicas, 0, T0.plusSeconds(s)).desiredReplicas();
      assertThat(replicas).as("at %d s the 4 recommended at 0 s is in the window", s).isEqualTo(4);
    }
    HorizontalPodAutoscaler.Result after = hpa.reconcile(replicas, 0, T0.plusSeconds(300));

    assertThat(after.desiredReplicas()).isEqualTo(1);
    assertThat(after.reason()).isEqualTo("TooFewReplicas");
  }

  @Test
  void customBehaviourLimitsScaleDownToOnePodPerMinute() {
    ScalingBehavior behavior =
        new ScalingBehavior(
            ScalingRules.defaultScaleUp(),
            new ScalingRules(
                Duration.ZERO,
                ScalingRules.SelectPolicy.MAX,
                List.of(ScalingPolicy.pods(1, Duration.ofSeconds(60)))));
    HorizontalPodAutoscaler hpa =
        new HorizontalPodAutoscaler(ScalingConfig.builder().behavior(behavior).build());

    int a = hpa.reconcile(5, 0, T0).desiredReplicas();
    int b = hpa.reconcile(a, 0, T0.plusSeconds(30)).desiredReplicas();
    int c = hpa.reconcile(b, 0, T0.plusSeconds(61)).desiredReplicas();

    assertThat(List.of(a, b, c)).containsExactly(4, 4, 3);
  }

  @Test
  void disabledScaleDownNeverRemovesReplicas() {
    ScalingBehavior behavior =
        new ScalingBehavior(
            ScalingRules.defaultScaleUp(),
            new ScalingRules(Duration.ZERO, ScalingRules.SelectPolicy.DISABLED, List.of()));
    HorizontalPodAutoscaler hpa =
        new HorizontalPodAutoscaler(ScalingConfig.builder().behavior(behavior).build());

    assertThat(hpa.reconcile(6, 0, T0).desiredReplicas()).isEqualTo(6);
  }

  @Test
  void refusesToActAtZeroReplicas() {
    HorizontalPodAutoscaler hpa = new HorizontalPodAutoscaler(ScalingConfig.defaults());

    assertThatThrownBy(() -> hpa.reconcile(0, 10, T0)).isInstanceOf(IllegalArgumentException.class);
  }
}
