package io.sluice.autoscaler.internal;

import io.sluice.autoscaler.LagMetric;
import io.sluice.autoscaler.LagSnapshot;
import io.sluice.autoscaler.OffsetResetPolicy;
import io.sluice.autoscaler.PartitionOffsets;
import io.sluice.autoscaler.ScalingConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * KEDA's {@code kafka} scaler ({@code pkg/scalers/kafka_scaler.go}): turns a lag snapshot into the
 * metric given to the HPA and the activity flag used for scaling from and to zero.
 *
 * <p>Stateful only for {@code excludePersistentLag}: it remembers each partition's committed offset
 * from the previous poll, as KEDA does. One instance per deployment, one caller at a time.
 */
public final class KafkaLagScaler {

  private final ScalingConfig config;
  private final Map<Integer, Long> previousOffsets = new HashMap<>();

  public KafkaLagScaler(ScalingConfig config) {
    this.config = config;
  }

  /** One poll. Updates the remembered offsets when {@code excludePersistentLag} is on. */
  public LagMetric measure(LagSnapshot snapshot) {
    long totalLag = 0;
    long totalLagWithPersistent = 0;
    int partitionsWithLag = 0;
    for (PartitionOffsets p : snapshot.partitions()) {
      long[] lags = lagForPartition(p);
      totalLag += lags[0];
      totalLagWithPersistent += lags[1];
      if (lags[0] > 0) {
        partitionsWithLag++;
      }
    }
    int partitions = snapshot.partitions().size();

    if (!config.allowIdleConsumers() || config.limitToPartitionsWithLag()) {
      long upperBound = config.limitToPartitionsWithLag() ? partitionsWithLag : partitions;
      // KEDA's cap, kept as KEDA writes it: integer division, so the cap only applies once
      // totalLag reaches (upperBound + 1) * lagThreshold. Below that, e.g. 25 lag on 2 partitions
      // with threshold 10, the metric passes uncapped and the HPA asks ceil(25/10) = 3 replicas,
      // one more than there are partitions. Matching it keeps a laptop and a cluster deciding
      // alike.
      if (totalLag / config.lagThreshold() > upperBound) {
        totalLag = upperBound * config.lagThreshold();
      }
    }
    boolean active = totalLagWithPersistent > config.activationLagThreshold();
    return new LagMetric(totalLag, totalLagWithPersistent, partitions, partitionsWithLag, active);
  }

  /** Returns {lag, lagWithPersistent} for one partition, KEDA's getLagForPartition. */
  private long[] lagForPartition(PartitionOffsets p) {
    if (p.committedOffset().isEmpty()) {
      // No committed offset yet (a new group, or offsets expired). Under "latest" KEDA counts 1 so
      // that one consumer starts and commits (kedacore/keda#2612 added the opt-out); under
      // "earliest" it counts the log-end offset, not log-end minus log-start: retention-deleted
      // records still count. These partitions never enter the persistent-lag bookkeeping.
      if (config.scaleToZeroOnInvalidOffset()) {
        return new long[] {0, 0};
      }
      long lag = config.offsetResetPolicy() == OffsetResetPolicy.LATEST ? 1 : p.logEndOffset();
      return new long[] {lag, lag};
    }
    long committed = p.committedOffset().getAsLong();
    // Not clamped at zero, as in KEDA: a committed offset beyond the log end (topic recreated)
    // gives negative lag that reduces the total.
    long lag = p.logEndOffset() - committed;
    if (config.excludePersistentLag()) {
      Long previous = previousOffsets.put(p.partition(), committed);
      if (previous != null && previous == committed) {
        // The consumer did not move since the last poll: maybe it is stuck on a poison record.
        // More replicas would not help, so this lag is excluded from scaling but still counts for
        // activity.
        return new long[] {0, lag};
      }
    }
    return new long[] {lag, lag};
  }
}
