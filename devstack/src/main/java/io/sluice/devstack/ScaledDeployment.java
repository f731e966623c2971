package io.sluice.devstack;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.autoscaler.LagAutoscaler;
import io.sluice.autoscaler.LagReader;
import io.sluice.autoscaler.LagSnapshot;
import io.sluice.autoscaler.ScalingConfig;
import io.sluice.autoscaler.ScalingDecision;
import io.sluice.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One deployment's workers in the dev stack, run as replicas (each a real consumer in group {@code
 * sluice.fn.<deployment>}) and resized by the same scaling law KEDA and the HPA apply in a cluster
 * ({@link LagAutoscaler}), so a laptop shows what a cluster does.
 */
public final class ScaledDeployment implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScaledDeployment.class);

  /** Starts one replica; closing it stops the replica gracefully (it leaves the group). */
  @FunctionalInterface
  public interface ReplicaFactory {
    AutoCloseable start(String deployment, int index) throws Exception;
  }

  /** A replica-count change, for logs, the report and tests. */
  public record Change(
      Instant at, int from, int to, ScalingDecision.Reason reason, long totalLag) {}

  private final String deployment;
  private final LagAutoscaler autoscaler;
  private final ReplicaFactory factory;
  private final LagReader lagReader;
  private final Clock clock;
  private final Deque<AutoCloseable> replicas = new ArrayDeque<>();
  private final List<Change> changes = new ArrayList<>();
  private final Counter scaleUps;
  private final Counter scaleDowns;
  private int nextIndex;
  private volatile long lastLag;

  public ScaledDeployment(
      String deployment,
      ScalingConfig config,
      ReplicaFactory factory,
      LagReader lagReader,
      MeterRegistry metrics,
      Clock clock) {
    this.deployment = deployment;
    this.autoscaler = new LagAutoscaler(config);
    this.factory = factory;
    this.lagReader = lagReader;
    this.clock = clock;
    Gauge.builder("sluice_devstack_replicas", this, ScaledDeployment::replicas)
        .tag("deployment", deployment)
        .description("Worker replicas the dev stack runs for a deployment")
        .register(metrics);
    Gauge.builder("sluice_devstack_consumer_lag", this, d -> d.lastLag)
        .tag("deployment", deployment)
        .description("Consumer-group lag of the deployment at the last poll")
        .register(metrics);
    scaleUps =
        metrics.counter(
            "sluice_devstack_scaling_events_total", "deployment", deployment, "direction", "up");
    scaleDowns =
        metrics.counter(
            "sluice_devstack_scaling_events_total", "deployment", deployment, "direction", "down");
  }

  public String deployment() {
    return deployment;
  }

  /** Starts the minimum number of replicas. */
  public synchronized void start() {
    resize(autoscaler.config().minReplicaCount(), ScalingDecision.Reason.RAISE_TO_MIN, 0);
  }

  /** One poll: read the group's lag, decide as KEDA and the HPA would, resize. */
  public synchronized ScalingDecision pollOnce(Duration timeout) {
    LagSnapshot snapshot =
        lagReader.read(Topics.workerGroup(deployment), Topics.batches(deployment), timeout);
    ScalingDecision d = autoscaler.decide(snapshot, replicas.size(), clock.instant());
    lastLag = d.metric() == null ? 0 : d.metric().totalLag();
    if (d.changed()) {
      resize(d.desiredReplicas(), d.reason(), lastLag);
      log.info(
          "{}: {} -> {} replicas ({}; lag {}): {}",
          deployment,
          d.currentReplicas(),
          d.desiredReplicas(),
          d.reason(),
          lastLag,
          d.detail());
    }
    return d;
  }

  public synchronized int replicas() {
    return replicas.size();
  }

  public synchronized List<Change> changes() {
    return List.copyOf(changes);
  }

  private void resize(int target, ScalingDecision.Reason reason, long lag) {
    int from = replicas.size();
    while (replicas.size() < target) {
      int index = nextIndex++;
      try {
        replicas.push(factory.start(deployment, index));
      } catch (Exception e) {
        throw new IllegalStateException(
            "could not start replica " + index + " of " + deployment + ": " + e, e);
      }
    }
    while (replicas.size() > target) {
      AutoCloseable r = replicas.pop();
      try {
        r.close();
      } catch (Exception e) {
        log.warn("{}: stopping a replica failed: {}", deployment, e.toString());
      }
    }
    if (target != from) {
      (target > from ? scaleUps : scaleDowns).increment();
      changes.add(new Change(clock.instant(), from, target, reason, lag));
    }
  }

  @Override
  public synchronized void close() {
    resize(0, ScalingDecision.Reason.HPA_SCALE_DOWN, lastLag);
  }
}
