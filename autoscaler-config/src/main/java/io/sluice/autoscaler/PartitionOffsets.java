package io.sluice.autoscaler;

import java.util.OptionalLong;

/**
 * One partition of the deployment topic at one poll: the group's committed offset (empty when the
 * group has never committed on it) and the partition's log-end offset (high watermark).
 */
public record PartitionOffsets(int partition, OptionalLong committedOffset, long logEndOffset) {

  public PartitionOffsets {
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, got " + partition);
    }
    if (logEndOffset < 0) {
      throw new IllegalArgumentException("logEndOffset must be >= 0, got " + logEndOffset);
    }
    // Kafka reports "no committed offset" as -1; callers may pass it through as empty.
    if (committedOffset.isPresent() && committedOffset.getAsLong() < 0) {
      committedOffset = OptionalLong.empty();
    }
  }

  public static PartitionOffsets committed(int partition, long committed, long logEnd) {
    return new PartitionOffsets(partition, OptionalLong.of(committed), logEnd);
  }

  public static PartitionOffsets uncommitted(int partition, long logEnd) {
    return new PartitionOffsets(partition, OptionalLong.empty(), logEnd);
  }
}
