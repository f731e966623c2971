package io.sluice.router.topology;

import io.sluice.router.batch.EncodedBatch;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.processor.StreamPartitioner;

/** Where outbound records land. */
final class Partitioners {
  private Partitioners() {}

  /**
   * Batches go round-robin over the deployment topic's partitions, so every worker of a
   * deployment's consumer group gets an even share however few batch keys there are. Replies honour
   * a fixed reply partition (checked against the topic when the request entered); otherwise records
   * are keyed (by request id).
   */
  static StreamPartitioner<String, Outbound<?>> outbound() {
    AtomicInteger next = new AtomicInteger();
    return (topic, key, value, numPartitions) -> {
      if (value != null && value.value() instanceof EncodedBatch) {
        return Optional.of(Set.of(Math.floorMod(next.getAndIncrement(), numPartitions)));
      }
      Integer p = value == null ? null : value.partition();
      return p != null && p >= 0 && p < numPartitions ? Optional.of(Set.of(p)) : Optional.empty();
    };
  }
}
