package io.sluice.autoscaler;

import java.util.ArrayList;
import java.util.List;

/** Test shorthand: {@code "5/10,-/7"} is partition 0 committed 5 of 10, partition 1 uncommitted. */
final class Snapshots {
  private Snapshots() {}

  static LagSnapshot parse(String spec) {
    List<PartitionOffsets> partitions = new ArrayList<>();
    String[] entries = spec.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String[] parts = entries[i].trim().split("/", -1);
      long end = Long.parseLong(parts[1]);
      partitions.add(
          parts[0].equals("-")
              ? PartitionOffsets.uncommitted(i, end)
              : PartitionOffsets.committed(i, Long.parseLong(parts[0]), end));
    }
    return LagSnapshot.forDeployment("test", partitions);
  }

  /** {@code n} partitions, all committed at 0, with the given lag on the first partitions. */
  static LagSnapshot lagOn(int n, long... lags) {
    List<PartitionOffsets> partitions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      partitions.add(PartitionOffsets.committed(i, 0, i < lags.length ? lags[i] : 0));
    }
    return LagSnapshot.forDeployment("test", partitions);
  }

  /** {@code n} partitions sharing {@code total} lag as evenly as possible. */
  static LagSnapshot spread(int n, long total) {
    long[] lags = new long[n];
    for (int i = 0; i < n; i++) {
      lags[i] = total / n + (i < total % n ? 1 : 0);
    }
    return lagOn(n, lags);
  }
}
