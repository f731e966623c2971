package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.autoscaler.LagSnapshot;
import io.sluice.autoscaler.OffsetResetPolicy;
import io.sluice.autoscaler.PartitionOffsets;
import io.sluice.autoscaler.ScalingBehavior;
import io.sluice.autoscaler.ScalingConfig;
import io.sluice.autoscaler.ScalingPolicy;
import io.sluice.autoscaler.ScalingRules;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Defect 9 of issue 10, dev-stack side: a worker loop that died kept counting as a replica, and the
 * autoscaler scaled the healthy one down. A dead replica must be restarted in its slot (same index,
 * so the same static instance id), counted in {@code sluice_devstack_replica_restarts_total}, and
 * never counted as live.
 */
class ScaledDeploymentRestartTest {

  /** A replica the test can kill, as a worker whose loop thread ended. */
  static final class FakeReplica implements ScaledDeployment.Replica {
    final int index;
    volatile boolean dead;
    volatile boolean closed;

    FakeReplica(int index) {
      this.index = index;
    }

    @Override
    public boolean alive() {
      return !dead && !closed;
    }

    @Override
    public String failure() {
      return dead ? "IllegalStateException: poison batch" : null;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A clock the test moves by hand. */
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  private final List<FakeReplica> started = new ArrayList<>();
  private final AtomicLong lag = new AtomicLong();
  private final MovableClock clock = new MovableClock();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  /**
   * The default scale-up; a scale-down with a short window that may remove all replicas a second.
   */
  static ScalingBehavior quickScaleDown(Duration window) {
    return new ScalingBehavior(
        ScalingRules.defaultScaleUp(),
        new ScalingRules(
            window,
            ScalingRules.SelectPolicy.MAX,
            List.of(ScalingPolicy.percent(100, Duration.ofSeconds(1)))));
  }

  private ScaledDeployment deployment(int min, int max) {
    Duration quick = Duration.ofSeconds(2);
    ScalingConfig config =
        ScalingConfig.builder()
            .lagThreshold(2)
            .minReplicaCount(min)
            .maxReplicaCount(max)
            .offsetResetPolicy(OffsetResetPolicy.EARLIEST)
            .cooldownPeriod(quick)
            .behavior(quickScaleDown(quick))
            .build();
    return new ScaledDeployment(
        "dep",
        config,
        (d, i) -> {
          FakeReplica r = new FakeReplica(i);
          started.add(r);
          return r;
        },
        (group, topic, timeout) ->
            LagSnapshot.forDeployment(
                "dep",
                List.of(
                    PartitionOffsets.committed(0, 100, 100 + lag.get() / 2),
                    PartitionOffsets.committed(1, 100, 100 + lag.get() - lag.get() / 2))),
        metrics,
        clock);
  }

  private double restartsMetric() {
    return metrics
        .get("sluice_devstack_replica_restarts_total")
        .tag("deployment", "dep")
        .counter()
        .count();
  }

  @Test
  void aDeadReplicaIsNotCountedAndIsRestartedInItsSlot() {
    ScaledDeployment d = deployment(2, 2);
    d.start();
    assertThat(d.replicas()).isEqualTo(2);

    started.get(1).dead = true;
    assertThat(d.replicas()).as("a dead worker is not a replica").isEqualTo(1);
    assertThat(metrics.get("sluice_devstack_replicas").gauge().value()).isEqualTo(1.0);

    d.pollOnce(Duration.ofSeconds(1));
    assertThat(d.replicas()).isEqualTo(2);
    assertThat(started).hasSize(3);
    assertThat(started.get(2).index).as("restarted in the same slot").isEqualTo(1);
    assertThat(started.get(1).closed).as("the dead one was stopped").isTrue();
    assertThat(started.get(0).closed).as("the healthy one was left alone").isFalse();
    assertThat(d.restarts()).isEqualTo(1);
    assertThat(restartsMetric()).isEqualTo(1.0);
  }

  @Test
  void aCrashLoopBacksOff() {
    ScaledDeployment d = deployment(1, 1);
    d.start();
    started.get(0).dead = true;
    d.pollOnce(Duration.ofSeconds(1)); // first restart at once
    assertThat(d.restarts()).isEqualTo(1);
    started.get(1).dead = true;
    d.pollOnce(Duration.ofSeconds(1)); // second crash: 1 s back-off
    assertThat(d.replicas()).isZero();
    assertThat(d.restarts()).isEqualTo(1);
    clock.advance(Duration.ofMillis(1100));
    d.pollOnce(Duration.ofSeconds(1));
    assertThat(d.replicas()).isEqualTo(1);
    assertThat(d.restarts()).isEqualTo(2);
    assertThat(started).extracting(r -> r.index).containsOnly(0);
    assertThat(ScaledDeployment.backoff(10)).isEqualTo(ScaledDeployment.MAX_RESTART_DELAY);
  }

  @Test
  void aScaleDownRemovesTheDeadReplicaNotTheHealthyOne() {
    ScaledDeployment d = deployment(1, 2);
    d.start();
    lag.set(8); // 8 / threshold 2: more than the max of two replicas
    for (int i = 0; i < 10 && d.replicas() < 2; i++) {
      clock.advance(Duration.ofSeconds(1));
      d.pollOnce(Duration.ofSeconds(1));
    }
    assertThat(d.replicas()).isEqualTo(2);
    FakeReplica healthy = started.get(0);

    // Slot 1 crash-loops (its first restart is at once, the next waits 1 s), and the lag is gone.
    started.get(1).dead = true;
    d.pollOnce(Duration.ofSeconds(1));
    started.get(2).dead = true;
    lag.set(0);
    for (int i = 0; i < 20 && (d.changes().size() < 2 || started.size() < 3); i++) {
      clock.advance(Duration.ofMillis(500));
      started.stream().filter(r -> r.index == 1).forEach(r -> r.dead = true);
      d.pollOnce(Duration.ofSeconds(1));
    }
    assertThat(d.replicas()).isEqualTo(1);
    assertThat(healthy.alive()).as("the healthy replica is the one kept").isTrue();
    assertThat(started.stream().filter(ScaledDeployment.Replica::alive)).containsExactly(healthy);
  }
}
