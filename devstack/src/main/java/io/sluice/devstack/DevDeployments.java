package io.sluice.devstack;

import io.sluice.autoscaler.OffsetResetPolicy;
import io.sluice.autoscaler.ScalingBehavior;
import io.sluice.autoscaler.ScalingConfig;
import io.sluice.autoscaler.ScalingPolicy;
import io.sluice.autoscaler.ScalingRules;
import java.time.Duration;
import java.util.List;

/**
 * The deployments behind the demo apps and how the dev stack scales them. The scaling law is the
 * cluster's (KEDA + HPA); only the time constants are shortened so a laptop shows a scale-down
 * within a minute instead of five.
 *
 * @param name deployment name ({@code sluice.batches.<name>}, group {@code sluice.fn.<name>})
 * @param function the function it runs (by provider name)
 * @param llm whether it calls the vLLM backend (the simulator, or {@code --vllm-url})
 * @param scaling min/max replicas and thresholds
 */
public record DevDeployments(String name, String function, boolean llm, ScalingConfig scaling) {

  /** Cooldown before scaling to zero and the scale-down stabilisation window in the dev stack. */
  public static final Duration DEV_COOLDOWN = Duration.ofSeconds(30);

  /**
   * The demo deployments.
   *
   * @param scaleDownDelay the cooldown before scaling to zero and the scale-down stabilisation
   *     window (KEDA/HPA defaults: 300 s; {@link #DEV_COOLDOWN} in the dev stack)
   */
  public static List<DevDeployments> demo(Duration scaleDownDelay) {
    int max = DemoApps.DEPLOYMENT_PARTITIONS;
    return List.of(
        new DevDeployments("chat-a", "llm", true, scaling(1, max, 2, scaleDownDelay)),
        new DevDeployments("chat-b", "llm", true, scaling(1, max, 2, scaleDownDelay)),
        new DevDeployments("sentiment", "sentiment", false, scaling(0, 2, 2, scaleDownDelay)));
  }

  static ScalingConfig scaling(int min, int max, long lagThreshold, Duration scaleDownDelay) {
    return ScalingConfig.builder()
        .lagThreshold(lagThreshold)
        .minReplicaCount(min)
        .maxReplicaCount(max)
        // As the workers' auto.offset.reset: see helm/sluice/values.yaml.
        .offsetResetPolicy(OffsetResetPolicy.EARLIEST)
        .cooldownPeriod(scaleDownDelay)
        .behavior(
            new ScalingBehavior(
                ScalingRules.defaultScaleUp(),
                new ScalingRules(
                    scaleDownDelay,
                    ScalingRules.SelectPolicy.MAX,
                    List.of(ScalingPolicy.percent(100, Duration.ofSeconds(15))))))
        .build();
  }
}
