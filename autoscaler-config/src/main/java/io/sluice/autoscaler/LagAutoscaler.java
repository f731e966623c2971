package io.sluice.autoscaler;

import io.sluice.autoscaler.internal.HorizontalPodAutoscaler;
import io.sluice.autoscaler.internal.KafkaLagScaler;
import java.time.Instant;
import java.util.Objects;

/**
 * The scaling law of one deployment: KEDA's Kafka scaler and scale executor, plus the Kubernetes
 * HPA that KEDA drives, in one object, so that the dev stack resizes its worker replicas exactly as
 * a cluster would.
 *
 * <p>Per poll, in the order a cluster applies them:
 *
 * <ol>
 *   <li>the Kafka scaler turns the snapshot into the lag metric and the activity flag;
 *   <li>KEDA's executor handles 0 &harr; N: active at 0 scales to {@code max(minReplicaCount, 1)};
 *       inactive with {@code minReplicaCount == 0} for longer than {@code cooldownPeriod} since the
 *       last active poll scales to 0 (immediately if it was never active, as KEDA does);
 *   <li>otherwise, with replicas above 0, the HPA decides between {@code max(minReplicaCount, 1)}
 *       and {@code maxReplicaCount} from {@code ceil(totalLag / lagThreshold)}, its tolerance,
 *       stabilisation windows and rate policies.
 * </ol>
 *
 * <p>Usage in a polling loop (one instance per deployment; not thread-safe, call it from the
 * polling thread only):
 *
 * <pre>{@code
 * LagAutoscaler autoscaler = new LagAutoscaler(config);
 * try (LagReader reader = LagReader.create(adminProperties)) {
 *   while (running) {
 *     LagSnapshot snapshot = reader.read("sluice.fn.chat", "sluice.batches.chat", timeout);
 *     ScalingDecision d = autoscaler.decide(snapshot, workers.size(), clock.instant());
 *     if (d.changed()) workers.resizeTo(d.desiredReplicas());
 *     sleep(config.pollingInterval());
 *   }
 * }
 * }</pre>
 *
 * <p>The object assumes each decision is applied before the next poll (it records the HPA's scale
 * events, which feed the rate policies). If a resize fails, pass the true count next time. Polling
 * more often than KEDA's 30 s or the HPA's 15 s is fine: windows, policy periods and the cooldown
 * are measured in time, not in polls; only {@code excludePersistentLag} compares with the previous
 * poll, exactly as KEDA does.
 */
public final class LagAutoscaler {

  private final ScalingConfig config;
  private final KafkaLagScaler scaler;
  private final HorizontalPodAutoscaler hpa;
  private Instant lastActiveTime;

  public LagAutoscaler(ScalingConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.scaler = new KafkaLagScaler(config);
    this.hpa = new HorizontalPodAutoscaler(config);
  }

  public ScalingConfig config() {
    return config;
  }

  /**
   * One poll: the replicas the deployment should run now.
   *
   * @param snapshot the group's committed and log-end offsets on every partition of the topic
   * @param currentReplicas the replicas running now (0 when scaled to zero)
   * @param now the poll time (inject a clock; tests pass synthetic instants)
   */
  public ScalingDecision decide(LagSnapshot snapshot, int currentReplicas, Instant now) {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(now, "now");
    if (currentReplicas < 0) {
      throw new IllegalArgumentException("currentReplicas must be >= 0, got " + currentReplicas);
    }
    LagMetric metric = scaler.measure(snapshot);
    if (metric.active()) {
      lastActiveTime = now;
    }

    // KEDA's scale executor (scale_scaledobjects.go): only it moves a target from or to zero.
    if (currentReplicas == 0) {
      if (metric.active()) {
        int to = Math.max(config.minReplicaCount(), 1);
        return decision(
            0, to, ScalingDecision.Reason.SCALE_FROM_ZERO, activeDetail(metric), metric, -1);
      }
      if (config.minReplicaCount() > 0) {
        return decision(
            0,
            config.minReplicaCount(),
            ScalingDecision.Reason.RAISE_TO_MIN,
            "inactive below minReplicaCount",
            metric,
            -1);
      }
      return decision(
          0, 0, ScalingDecision.Reason.IDLE_AT_ZERO, inactiveDetail(metric), metric, -1);
    }
    if (!metric.active()) {
      if (config.minReplicaCount() == 0) {
        // KEDA compares lastActiveTime + cooldownPeriod strictly before now; with no recorded
        // activity at all it scales to zero at once.
        if (lastActiveTime == null || lastActiveTime.plus(config.cooldownPeriod()).isBefore(now)) {
          return decision(
              currentReplicas,
              0,
              ScalingDecision.Reason.SCALE_TO_ZERO,
              inactiveDetail(metric) + ", cooldown " + config.cooldownPeriod() + " elapsed",
              metric,
              -1);
        }
        // Cooling down: KEDA waits and the HPA keeps acting on the metric meanwhile.
      } else if (currentReplicas < config.minReplicaCount()) {
        return decision(
            currentReplicas,
            config.minReplicaCount(),
            ScalingDecision.Reason.RAISE_TO_MIN,
            "inactive below minReplicaCount",
            metric,
            -1);
      }
    }

    HorizontalPodAutoscaler.Result result = hpa.reconcile(currentReplicas, metric.totalLag(), now);
    ScalingDecision.Reason reason =
        result.desiredReplicas() > currentReplicas
            ? ScalingDecision.Reason.HPA_SCALE_UP
            : result.desiredReplicas() < currentReplicas
                ? ScalingDecision.Reason.HPA_SCALE_DOWN
                : ScalingDecision.Reason.HPA_UNCHANGED;
    String detail = result.reason();
    if (!metric.active() && config.minReplicaCount() == 0) {
      detail += "; inactive, scale to zero after " + lastActiveTime.plus(config.cooldownPeriod());
    }
    return decision(
        currentReplicas,
        result.desiredReplicas(),
        reason,
        detail,
        metric,
        result.metricRecommendation());
  }

  private String activeDetail(LagMetric metric) {
    return "lag "
        + metric.totalLagWithPersistent()
        + " > activationLagThreshold "
        + config.activationLagThreshold();
  }

  private String inactiveDetail(LagMetric metric) {
    return "lag "
        + metric.totalLagWithPersistent()
        + " <= activationLagThreshold "
        + config.activationLagThreshold();
  }

  private static ScalingDecision decision(
      int current,
      int desired,
      ScalingDecision.Reason reason,
      String detail,
      LagMetric metric,
      int hpaRecommendation) {
    return new ScalingDecision(current, desired, reason, detail, metric, hpaRecommendation);
  }
}
