package io.sluice.autoscaler;

import java.util.Locale;

/**
 * KEDA's {@code offsetResetPolicy}: how a partition without a committed offset counts towards lag.
 * It should match the workers' {@code auto.offset.reset}.
 */
public enum OffsetResetPolicy {
  /** No committed offset counts as lag 1, so a new group scales to one consumer that commits. */
  LATEST,
  /** No committed offset counts as the partition's log-end offset: everything will be read. */
  EARLIEST;

  /** The lower-case spelling used by KEDA's trigger metadata and the chart values. */
  public String kedaName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses KEDA's spelling ({@code latest} or {@code earliest}). */
  public static OffsetResetPolicy fromKedaName(String value) {
    for (OffsetResetPolicy policy : values()) {
      if (policy.kedaName().equals(value)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "offsetResetPolicy: '" + value + "' is not one of latest, earliest");
  }
}
