package io.sluice.router.topology;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.processor.StreamPartitioner;

/** Where outbound records land. */
final class Partitioners {
  private Partitioners() {}

  /**
   * Batches go round-robin over the deployment topic's partitions, so every worker of a
   * deployment's consumer group gets an even share however few batch keys there are.
   */
  static <T> StreamPartitioner<String, Outbound<T>> roundRobin() {
    AtomicInteger next = new AtomicInteger();
    return (topic, key, value, numPartitions) ->
        Optional.of(Set.of(Math.floorMod(next.getAndIncrement(), numPartitions)));
  }

  /** Replies honour a fixed reply partition; otherwise they are keyed by request id. */
  static <T> StreamPartitioner<String, Outbound<T>> fixedOrByKey() {
    return (topic, key, value, numPartitions) -> {
      Integer p = value == null ? null : value.partition();
      return p != null && p >= 0 && p < numPartitions ? Optional.of(Set.of(p)) : Optional.empty();
    };
  }
}
