package io.sluice.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.autoscaler.internal.KafkaLagScaler;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The metric and activity KEDA's Kafka scaler reports for one poll (getTotalLag). */
class KafkaLagScalerTest {

  static Stream<Arguments> singlePolls() {
    UnaryOperator<ScalingConfig.Builder> defaults = b -> b;
    return Stream.of(
        // name, config, partitions, totalLag, totalLagWithPersistent, active
        Arguments.of("caught up: no lag, inactive", defaults, "10/10,7/7", 0L, 0L, false),
        Arguments.of("plain lag sums partitions", defaults, "5/10,0/7", 12L, 12L, true),
        Arguments.of(
            "new group under latest: each uncommitted partition counts 1 (so one consumer starts)",
            defaults,
            "-/100,-/50,-/0",
            3L,
            3L,
            true),
        Arguments.of(
            "new group, scaleToZeroOnInvalidOffset: uncommitted counts 0 (kedacore/keda#2612)",
            b(x -> x.scaleToZeroOnInvalidOffset(true)),
            "-/100,-/50",
            0L,
            0L,
            false),
        Arguments.of(
            "new group under earliest: log-end offset counts, then the partition cap applies",
            b(x -> x.offsetResetPolicy(OffsetResetPolicy.EARLIEST)),
            "-/100,-/50",
            20L,
            150L,
            true),
        Arguments.of(
            "earliest below the cap: exactly the log-end offsets",
            b(x -> x.offsetResetPolicy(OffsetResetPolicy.EARLIEST)),
            "-/4,-/3",
            7L,
            7L,
            true),
        Arguments.of(
            "earliest with scaleToZeroOnInvalidOffset: 0",
            b(
                x ->
                    x.offsetResetPolicy(OffsetResetPolicy.EARLIEST)
                        .scaleToZeroOnInvalidOffset(true)),
            "-/100,-/50",
            0L,
            0L,
            false),
        Arguments.of("mixed committed and uncommitted", defaults, "5/10,-/7", 6L, 6L, true),
        Arguments.of(
            "more lag than partitions: capped at partitions * lagThreshold",
            defaults,
            "0/1000,0/0,0/0,0/0",
            40L,
            1000L,
            true),
        Arguments.of(
            "integer-division cap: 25 on 2 partitions passes uncapped (25/10 = 2, not > 2)",
            defaults,
            "0/20,0/5",
            25L,
            25L,
            true),
        Arguments.of(
            "integer-division cap: 30 on 2 partitions is capped to 20 (30/10 = 3 > 2)",
            defaults,
            "0/20,0/10",
            20L,
            30L,
            true),
        Arguments.of(
            "allowIdleConsumers: no cap",
            b(x -> x.allowIdleConsumers(true)),
            "0/1000,0/0",
            1000L,
            1000L,
            true),
        Arguments.of(
            "limitToPartitionsWithLag: cap at the 2 partitions that have lag, not all 6",
            b(x -> x.limitToPartitionsWithLag(true)),
            "0/300,0/200,0/0,0/0,0/0,0/0",
            20L,
            500L,
            true),
        Arguments.of(
            "committed beyond log end (recreated topic): negative lag, not clamped",
            defaults,
            "50/10,0/5",
            -35L,
            -35L,
            false),
        Arguments.of(
            "activation is strict: lag equal to activationLagThreshold is inactive",
            b(x -> x.activationLagThreshold(5)),
            "0/5",
            5L,
            5L,
            false),
        Arguments.of(
            "activation above the threshold",
            b(x -> x.activationLagThreshold(5)),
            "0/6",
            6L,
            6L,
            true),
        Arguments.of(
            "activation uses the uncapped lag",
            b(x -> x.activationLagThreshold(30)),
            "0/35",
            10L,
            35L,
            true));
  }

  private static UnaryOperator<ScalingConfig.Builder> b(UnaryOperator<ScalingConfig.Builder> op) {
    return op;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("singlePolls")
  void measuresLikeKeda(
      String name,
      UnaryOperator<ScalingConfig.Builder> config,
      String partitions,
      long totalLag,
      long totalLagWithPersistent,
      boolean active) {
    KafkaLagScaler scaler = new KafkaLagScaler(config.apply(ScalingConfig.builder()).build());

    LagMetric metric = scaler.measure(Snapshots.parse(partitions));

    assertThat(metric.totalLag()).as("totalLag").isEqualTo(totalLag);
    assertThat(metric.totalLagWithPersistent())
        .as("totalLagWithPersistent")
        .isEqualTo(totalLagWithPersistent);
    assertThat(metric.active()).as("active").isEqualTo(active);
  }

  @Test
  void excludePersistentLagIgnoresAPartitionWhoseOffsetDidNotMoveButStaysActive() {
    KafkaLagScaler scaler =
        new KafkaLagScaler(
            ScalingConfig.builder().excludePersistentLag(true).allowIdleConsumers(true).build());

    // First poll: no previous offset known, so the lag counts (as in KEDA).
    LagMetric first = scaler.measure(Snapshots.parse("5/100,0/10"));
    // Second poll: partition 0 is stuck at 5 (a poison record?), partition 1 moved on.
    LagMetric second = scaler.measure(Snapshots.parse("5/120,10/30"));
    // Third poll: partition 0 moved again, its lag counts again.
    LagMetric third = scaler.measure(Snapshots.parse("6/120,10/30"));

    assertThat(first.totalLag()).isEqualTo(105);
    assertThat(second.totalLag()).isEqualTo(20);
    assertThat(second.totalLagWithPersistent()).isEqualTo(135);
    assertThat(second.partitionsWithLag()).isEqualTo(1);
    assertThat(second.active()).isTrue();
    assertThat(third.totalLag()).as("partition 1 did not move: excluded now").isEqualTo(114);
  }

  @Test
  void persistentLagAloneKeepsTheDeploymentActiveButAddsNoReplicas() {
    LagAutoscaler autoscaler =
        new LagAutoscaler(ScalingConfig.builder().excludePersistentLag(true).build());
    java.time.Instant t0 = java.time.Instant.parse("2025-01-01T00:00:00Z");

    ScalingDecision first = autoscaler.decide(Snapshots.parse("0/500"), 1, t0);
    // The single worker is stuck on offset 0; 30 s later nothing moved.
    ScalingDecision stuck = autoscaler.decide(Snapshots.parse("0/500"), 1, t0.plusSeconds(30));

    assertThat(first.desiredReplicas()).as("one partition caps the first poll at 1").isEqualTo(1);
    assertThat(stuck.metric().totalLag()).isZero();
    assertThat(stuck.metric().active()).isTrue();
    assertThat(stuck.desiredReplicas()).isEqualTo(1);
  }
}
