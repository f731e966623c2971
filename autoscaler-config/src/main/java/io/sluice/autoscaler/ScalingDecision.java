package io.sluice.autoscaler;

/**
 * The outcome of one poll of {@link LagAutoscaler#decide}.
 *
 * @param currentReplicas the replicas the caller reported
 * @param desiredReplicas the replicas to run now
 * @param reason which controller decided, and in which way
 * @param detail a human-readable explanation (HPA condition reason, cooldown deadline, ...)
 * @param metric what the Kafka scaler measured
 * @param hpaRecommendation the HPA replica calculator's raw proposal before stabilisation and rate
 *     limits, or -1 when the HPA did not compute one this poll
 */
public record ScalingDecision(
    int currentReplicas,
    int desiredReplicas,
    Reason reason,
    String detail,
    LagMetric metric,
    int hpaRecommendation) {

  /** Who changed (or kept) the replica count. */
  public enum Reason {
    /** KEDA: the deployment became active at 0 replicas; scaled to max(minReplicaCount, 1). */
    SCALE_FROM_ZERO,
    /** KEDA: inactive for longer than cooldownPeriod with minReplicaCount 0; scaled to 0. */
    SCALE_TO_ZERO,
    /** KEDA: at 0 and still inactive. */
    IDLE_AT_ZERO,
    /** KEDA: inactive with fewer replicas than minReplicaCount; raised to it. */
    RAISE_TO_MIN,
    /** HPA: more replicas. */
    HPA_SCALE_UP,
    /** HPA: fewer replicas. */
    HPA_SCALE_DOWN,
    /** HPA: no change (within tolerance, stabilised, or at a limit). */
    HPA_UNCHANGED
  }

  /** Whether the caller has to start or stop replicas. */
  public boolean changed() {
    return desiredReplicas != currentReplicas;
  }
}
