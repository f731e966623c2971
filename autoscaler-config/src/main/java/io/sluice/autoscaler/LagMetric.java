package io.sluice.autoscaler;

/**
 * What KEDA's Kafka scaler reports for one poll.
 *
 * @param totalLag the metric handed to the HPA: the summed lag, persistent lag excluded if so
 *     configured, capped by partitions (see {@link io.sluice.autoscaler.internal.KafkaLagScaler})
 * @param totalLagWithPersistent the uncapped lag including persistent lag; decides activity
 * @param partitions partitions of the topic
 * @param partitionsWithLag partitions whose (persistent-excluded) lag is above zero
 * @param active {@code totalLagWithPersistent > activationLagThreshold}
 */
public record LagMetric(
    long totalLag,
    long totalLagWithPersistent,
    int partitions,
    int partitionsWithLag,
    boolean active) {}
