package io.sluice.autoscaler;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What one poll saw: every partition of the deployment topic ({@code sluice.batches.<deployment>})
 * with the committed offset of its group ({@code sluice.fn.<deployment>}) and its log-end offset.
 * Build it by hand in tests, or read it with {@link LagReader}.
 */
public record LagSnapshot(String group, String topic, List<PartitionOffsets> partitions) {

  public LagSnapshot {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(topic, "topic");
    partitions =
        partitions.stream().sorted(Comparator.comparingInt(PartitionOffsets::partition)).toList();
    for (int i = 1; i < partitions.size(); i++) {
      if (partitions.get(i).partition() == partitions.get(i - 1).partition()) {
        throw new IllegalArgumentException(
            "partition " + partitions.get(i).partition() + " listed twice in " + topic);
      }
    }
  }

  /** The snapshot of deployment {@code deployment}, named per the wire contract. */
  public static LagSnapshot forDeployment(String deployment, List<PartitionOffsets> partitions) {
    return new LagSnapshot("sluice.fn." + deployment, "sluice.batches." + deployment, partitions);
  }
}
