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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One deployment's workers in the dev stack, run as replicas (each a real consumer in group {@code
 * sluice.fn.<deployment>}) and resized by the same scaling law KEDA and the HPA apply in a cluster
 * ({@link LagAutoscaler}), so a laptop shows what a cluster does.
 *
 * <p>Replicas sit in numbered slots, like a StatefulSet's ordinals: replica {@code i} always gets
 * index {@code i}, so its static group membership id ({@code sluice-dev-<deployment>-<i>}) is the
 * same after a restart of the replica or of the whole dev stack, and the broker hands its
 * partitions straight back instead of waiting for the old member to expire.
 *
 * <p>As a Deployment's restart policy would, a replica whose worker has died (its loop thread
 * ended) is noticed at the next poll, stopped, and started again in the same slot, after a
 * crash-loop back-off that doubles from {@link #FIRST_RESTART_DELAY} to {@link #MAX_RESTART_DELAY}.
 * A dead replica never counts as a replica: the scaling law sees the live ones only, and a
 * scale-down removes dead slots before live ones.
 */
public final class ScaledDeployment implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScaledDeployment.class);

  /** The first restart of a crashed replica comes at once; then 1 s, 2 s, 4 s ... */
  static final Duration FIRST_RESTART_DELAY = Duration.ZERO;

  /** Back-off cap, as the kubelet's CrashLoopBackOff (5 min there) shortened for a laptop. */
  static final Duration MAX_RESTART_DELAY = Duration.ofSeconds(30);

  /** A replica that stays up this long has its crash-loop back-off reset. */
  static final Duration STABLE_AFTER = Duration.ofSeconds(60);

  /**
   * A running replica: closing it stops it gracefully; {@link #alive} says whether it still runs.
   */
  public interface Replica extends AutoCloseable {
    /** False once the replica's worker has stopped on its own (failed), not by {@link #close}. */
    boolean alive();

    /** Why it stopped, if it did and says. */
    default String failure() {
      return null;
    }

    /**
     * Stops the replica gracefully (drains, commits, leaves); failures are reported, not thrown.
     */
    @Override
    void close();
  }

  /** Starts one replica in slot {@code index}. */
  @FunctionalInterface
  public interface ReplicaFactory {
    Replica start(String deployment, int index) throws Exception;
  }

  /** Where a poll gets the group's lag: the broker in the dev stack, a fake in tests. */
  @FunctionalInterface
  public interface LagSource {
    LagSnapshot read(String group, String topic, Duration timeout);
  }

  /** A replica-count change, for logs, the report and tests. */
  public record Change(
      Instant at, int from, int to, ScalingDecision.Reason reason, long totalLag) {}

  /** A numbered place for one replica: running, or crashed and waiting for its restart. */
  private static final class Slot {
    final int index;
    Replica replica; // null while crashed and waiting for the back-off
    Instant startedAt;
    Instant restartAt;
    int crashes;

    Slot(int index) {
      this.index = index;
    }

    boolean live() {
      return replica != null && replica.alive();
    }
  }

  private final String deployment;
  private final LagAutoscaler autoscaler;
  private final ReplicaFactory factory;
  private final LagSource lagSource;
  private final Clock clock;
  private final List<Slot> slots = new ArrayList<>();
  private final List<Change> changes = new ArrayList<>();
  private final Counter scaleUps;
  private final Counter scaleDowns;
  private final Counter restarts;
  private volatile long lastLag;
  private final MeterRegistry metrics;
  private final List<io.micrometer.core.instrument.Meter> meters = new ArrayList<>();

  public ScaledDeployment(
      String deployment,
      ScalingConfig config,
      ReplicaFactory factory,
      LagReader lagReader,
      MeterRegistry metrics,
      Clock clock) {
    this(deployment, config, factory, lagReader::read, metrics, clock);
  }

  public ScaledDeployment(
      String deployment,
      ScalingConfig config,
      ReplicaFactory factory,
      LagSource lagSource,
      MeterRegistry metrics,
      Clock clock) {
    this.deployment = deployment;
    this.autoscaler = new LagAutoscaler(config);
    this.factory = factory;
    this.lagSource = lagSource;
    this.clock = clock;
    this.metrics = metrics;
    meters.add(
        Gauge.builder("sluice_devstack_replicas", this, ScaledDeployment::replicas)
            .tag("deployment", deployment)
            .description("Live worker replicas the dev stack runs for a deployment")
            .register(metrics));
    meters.add(
        Gauge.builder("sluice_devstack_consumer_lag", this, d -> d.lastLag)
            .tag("deployment", deployment)
            .description("Consumer-group lag of the deployment at the last poll")
            .register(metrics));
    scaleUps =
        metrics.counter(
            "sluice_devstack_scaling_events_total", "deployment", deployment, "direction", "up");
    scaleDowns =
        metrics.counter(
            "sluice_devstack_scaling_events_total", "deployment", deployment, "direction", "down");
    restarts =
        Counter.builder("sluice_devstack_replica_restarts_total")
            .tag("deployment", deployment)
            .description("Replicas restarted after their worker died (a pod's restart count)")
            .register(metrics);
    meters.add(scaleUps);
    meters.add(scaleDowns);
    meters.add(restarts);
  }

  public String deployment() {
    return deployment;
  }

  /** Starts the minimum number of replicas. */
  public synchronized void start() {
    resize(autoscaler.config().minReplicaCount(), ScalingDecision.Reason.RAISE_TO_MIN, 0);
  }

  /**
   * One poll: restart replicas that died, read the group's lag, decide as KEDA and the HPA would on
   * the live replicas, resize.
   */
  public synchronized ScalingDecision pollOnce(Duration timeout) {
    Instant now = clock.instant();
    superviseReplicas(now);
    LagSnapshot snapshot =
        lagSource.read(Topics.workerGroup(deployment), Topics.batches(deployment), timeout);
    int live = replicas();
    ScalingDecision d = autoscaler.decide(snapshot, live, now);
    lastLag = d.metric() == null ? 0 : d.metric().totalLag();
    if (d.desiredReplicas() != slots.size()) {
      resize(d.desiredReplicas(), d.reason(), lastLag);
      log.info(
          "{}: {} -> {} replicas ({}; lag {}): {}",
          deployment,
          live,
          d.desiredReplicas(),
          d.reason(),
          lastLag,
          d.detail());
    }
    return d;
  }

  /** Live replicas: started and still running. A replica whose worker died is not counted. */
  public synchronized int replicas() {
    return (int) slots.stream().filter(Slot::live).count();
  }

  /** Replicas restarted after their worker died, since the start. */
  public long restarts() {
    return (long) restarts.count();
  }

  public synchronized List<Change> changes() {
    return List.copyOf(changes);
  }

  /** Notices dead replicas and restarts each once its crash-loop back-off has passed. */
  private void superviseReplicas(Instant now) {
    for (Slot s : slots) {
      if (s.replica != null && !s.replica.alive()) {
        String why = s.replica.failure();
        closeQuietly(s.replica);
        s.replica = null;
        if (s.startedAt != null && Duration.between(s.startedAt, now).compareTo(STABLE_AFTER) > 0) {
          s.crashes = 0;
        }
        s.crashes++;
        s.restartAt = now.plus(backoff(s.crashes));
        log.error(
            "{}: replica {} died ({}); restart {} in {} ms",
            deployment,
            s.index,
            why == null ? "no reason given" : why,
            s.crashes,
            Duration.between(now, s.restartAt).toMillis());
      }
      if (s.replica == null && s.restartAt != null && !now.isBefore(s.restartAt)) {
        if (startInto(s, now)) {
          restarts.increment();
        }
      }
    }
  }

  static Duration backoff(int crashes) {
    if (crashes <= 1) {
      return FIRST_RESTART_DELAY;
    }
    long seconds = 1L << Math.min(crashes - 2, 10);
    Duration d = Duration.ofSeconds(seconds);
    return d.compareTo(MAX_RESTART_DELAY) > 0 ? MAX_RESTART_DELAY : d;
  }

  private boolean startInto(Slot s, Instant now) {
    try {
      s.replica = factory.start(deployment, s.index);
      s.startedAt = now;
      s.restartAt = null;
      return true;
    } catch (Exception e) {
      // As a pod that fails to start: counted as a crash, tried again after the back-off.
      s.crashes++;
      s.restartAt = now.plus(backoff(s.crashes));
      log.error("{}: replica {} could not start: {}", deployment, s.index, e.toString());
      return false;
    }
  }

  private void resize(int target, ScalingDecision.Reason reason, long lag) {
    int from = replicas();
    int slotsBefore = slots.size();
    Instant now = clock.instant();
    while (slots.size() < target) {
      Slot s = new Slot(freeIndex());
      try {
        s.replica = factory.start(deployment, s.index);
        s.startedAt = now;
      } catch (Exception e) {
        throw new IllegalStateException(
            "could not start replica " + s.index + " of " + deployment + ": " + e, e);
      }
      slots.add(s);
      slots.sort(Comparator.comparingInt(x -> x.index));
    }
    while (slots.size() > target) {
      // Dead slots go first (a ReplicaSet deletes not-ready pods first), then the highest index.
      Slot victim =
          slots.stream().filter(x -> !x.live()).findFirst().orElse(slots.get(slots.size() - 1));
      slots.remove(victim);
      if (victim.replica != null) {
        closeQuietly(victim.replica);
      }
    }
    if (slots.size() != slotsBefore) {
      (target > from ? scaleUps : scaleDowns).increment();
      changes.add(new Change(now, from, target, reason, lag));
    }
  }

  /** The lowest index no slot uses, so indices (and instance ids) are reused, not counted up. */
  private int freeIndex() {
    int i = 0;
    while (true) {
      int candidate = i;
      if (slots.stream().noneMatch(s -> s.index == candidate)) {
        return candidate;
      }
      i++;
    }
  }

  private void closeQuietly(Replica r) {
    try {
      r.close();
    } catch (RuntimeException e) {
      log.warn("{}: stopping a replica failed: {}", deployment, e.toString());
    }
  }

  /**
   * Stops every replica and removes this deployment's meters, so a deployment of the same name
   * added later (a manifest edit) reports its own.
   */
  @Override
  public synchronized void close() {
    resize(0, ScalingDecision.Reason.HPA_SCALE_DOWN, lastLag);
    meters.forEach(metrics::remove);
  }
}
