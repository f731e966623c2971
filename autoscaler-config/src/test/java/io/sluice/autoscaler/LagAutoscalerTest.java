package io.sluice.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole decisions over time, as KEDA plus the HPA take them in a cluster. Each scenario is a list
 * of polls (seconds since start, partitions, expected replicas afterwards); the replicas each poll
 * starts from are the previous poll's decision.
 */
class LagAutoscalerTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  /**
   * One poll: at {@code second}, the topic looks like {@code snapshot}; expect {@code replicas}.
   */
  record Poll(long second, LagSnapshot snapshot, int replicas, ScalingDecision.Reason reason) {
    @Override
    public String toString() {
      return "t=" + second + "s";
    }
  }

  static Poll at(long second, LagSnapshot snapshot, int replicas, ScalingDecision.Reason reason) {
    return new Poll(second, snapshot, replicas, reason);
  }

  static Poll at(long second, String partitions, int replicas, ScalingDecision.Reason reason) {
    return at(second, Snapshots.parse(partitions), replicas, reason);
  }

  static Stream<Arguments> scenarios() {
    var fromZero = ScalingDecision.Reason.SCALE_FROM_ZERO;
    var toZero = ScalingDecision.Reason.SCALE_TO_ZERO;
    var idle = ScalingDecision.Reason.IDLE_AT_ZERO;
    var up = ScalingDecision.Reason.HPA_SCALE_UP;
    var down = ScalingDecision.Reason.HPA_SCALE_DOWN;
    var same = ScalingDecision.Reason.HPA_UNCHANGED;
    var raise = ScalingDecision.Reason.RAISE_TO_MIN;
    return Stream.of(
        scenario(
            "scale from zero on the first message, back to zero after cooldown",
            b -> b,
            0,
            at(0, "0/0,0/0", 0, idle),
            at(30, "0/1,0/0", 1, fromZero),
            at(60, "1/1,0/0", 1, same),
            // Inactive since 30 s: KEDA waits until lastActive + 300 s is strictly before now.
            at(330, "1/1,0/0", 1, same),
            at(331, "1/1,0/0", 0, toZero)),
        scenario(
            "brand-new group (no committed offsets, latest) counts lag 1 and starts one worker",
            b -> b,
            0,
            at(0, "-/0,-/0,-/0", 1, fromZero),
            at(15, "-/0,-/0,-/0", 1, same)),
        scenario(
            "brand-new group with scaleToZeroOnInvalidOffset stays at zero",
            b -> b.scaleToZeroOnInvalidOffset(true),
            0,
            at(0, "-/0,-/0,-/0", 0, idle)),
        scenario(
            "from zero to minReplicaCount, not to 1",
            b -> b.minReplicaCount(2).maxReplicaCount(8),
            0,
            at(0, "0/5,0/0", 2, fromZero)),
        scenario(
            "inactive below a non-zero minimum is raised to it",
            b -> b.minReplicaCount(2).maxReplicaCount(8),
            0,
            at(0, "0/0,0/0", 2, raise)),
        scenario(
            "burst: 1 -> 5 -> 8 (partition cap) by HPA rate policy, then stabilised scale-down",
            b -> b.maxReplicaCount(10),
            1,
            at(0, Snapshots.spread(8, 4000), 5, up),
            at(5, Snapshots.spread(8, 4000), 5, same),
            at(15, Snapshots.spread(8, 4000), 8, up),
            at(30, Snapshots.spread(8, 0), 8, same),
            at(314, Snapshots.spread(8, 0), 8, same),
            // The last recommendation of 8 (t=15) leaves the 300 s window at t=315; KEDA's
            // cooldown from the last active poll (t=15) ends strictly after t=315 as well.
            at(315, Snapshots.spread(8, 0), 1, down),
            at(316, Snapshots.spread(8, 0), 0, toZero)),
        scenario(
            "idle consumers: 2 partitions cap a huge lag at 2 replicas even with max 10",
            b -> b.maxReplicaCount(10),
            1,
            at(0, "0/1000,0/1000", 2, up),
            at(15, "0/1000,0/1000", 2, same)),
        scenario(
            "allowIdleConsumers: the same lag goes past the partition count",
            b -> b.maxReplicaCount(10).allowIdleConsumers(true),
            1,
            at(0, "0/1000,0/1000", 5, up),
            at(15, "0/1000,0/1000", 10, up)),
        scenario(
            "integer-division cap lets 25 lag on 2 partitions ask for 3 replicas",
            b -> b.maxReplicaCount(10),
            1,
            at(0, "0/20,0/5", 3, up)),
        scenario(
            "activation above scaling: lag 40 < activation 50 stays at zero",
            b -> b.activationLagThreshold(50),
            0,
            at(0, "0/40", 0, idle),
            at(10, "0/51", 1, fromZero)),
        scenario(
            "activation wins over HPA: lag 40 with 4 replicas scales to zero after cooldown",
            b -> b.activationLagThreshold(50).allowIdleConsumers(true),
            4,
            at(0, "0/60", 6, up),
            at(10, "0/40", 6, same),
            // The HPA still acts while KEDA cools down: the 6 from t=0 has left the window.
            at(300, "0/40", 4, down),
            at(301, "0/40", 0, toZero)),
        scenario(
            "never active with replicas running and min 0: KEDA scales to zero at once",
            b -> b,
            3,
            at(0, "0/0", 0, toZero)),
        scenario(
            "within tolerance: 3 replicas, lag 31, no change",
            b -> b.minReplicaCount(1).allowIdleConsumers(true),
            3,
            at(0, "0/31", 3, same)),
        scenario(
            "more replicas than maxReplicaCount are clamped",
            b -> b.minReplicaCount(1).maxReplicaCount(4),
            7,
            at(0, "0/10", 4, down)),
        scenario(
            "short windows for a demo: scale down after 10 s",
            b ->
                b.minReplicaCount(1)
                    .allowIdleConsumers(true)
                    .behavior(
                        new ScalingBehavior(
                            ScalingRules.defaultScaleUp(),
                            new ScalingRules(
                                Duration.ofSeconds(10),
                                ScalingRules.SelectPolicy.MAX,
                                List.of(ScalingPolicy.percent(100, Duration.ofSeconds(15)))))),
            1,
            at(0, "0/40", 4, up),
            at(2, "40/40", 4, same),
            at(10, "40/40", 1, down)));
  }

  static Arguments scenario(
      String name,
      UnaryOperator<ScalingConfig.Builder> config,
      int initialReplicas,
      Poll... polls) {
    return Arguments.of(
        name, config.apply(ScalingConfig.builder()).build(), initialReplicas, List.of(polls));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void decidesLikeKedaAndHpa(
      String name, ScalingConfig config, int initialReplicas, List<Poll> polls) {
    LagAutoscaler autoscaler = new LagAutoscaler(config);
    List<String> actual = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    int replicas = initialReplicas;
    for (Poll poll : polls) {
      ScalingDecision d =
          autoscaler.decide(poll.snapshot(), replicas, T0.plusSeconds(poll.second()));
      actual.add(poll + " " + d.desiredReplicas() + " " + d.reason());
      expected.add(poll + " " + poll.replicas() + " " + poll.reason());
      replicas = d.desiredReplicas();
    }
    assertThat(actual).containsExactlyElementsOf(expected);
  }
}
