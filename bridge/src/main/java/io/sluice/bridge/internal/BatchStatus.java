package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * The batch status machine, as OpenAI's: {@code validating} → {@code in_progress} → {@code
 * finalizing} → {@code completed}; {@code validating} → {@code failed}; {@code validating} or
 * {@code in_progress} → {@code cancelling} → {@code cancelled}; {@code in_progress} → {@code
 * expired}. Each move stamps its {@code <status>_at} (epoch seconds).
 */
final class BatchStatus {
  static final String VALIDATING = "validating";
  static final String FAILED = "failed";
  static final String IN_PROGRESS = "in_progress";
  static final String FINALIZING = "finalizing";
  static final String COMPLETED = "completed";
  static final String EXPIRED = "expired";
  static final String CANCELLING = "cancelling";
  static final String CANCELLED = "cancelled";

  private static final Map<String, Set<String>> NEXT =
      Map.of(
          VALIDATING, Set.of(IN_PROGRESS, FAILED, CANCELLING, EXPIRED),
          IN_PROGRESS, Set.of(FINALIZING, CANCELLING, EXPIRED),
          FINALIZING, Set.of(COMPLETED),
          CANCELLING, Set.of(CANCELLED),
          FAILED, Set.of(),
          COMPLETED, Set.of(),
          EXPIRED, Set.of(),
          CANCELLED, Set.of());

  private BatchStatus() {}

  /** Whether a batch in this status is still to be run (or finished) by its owner. */
  static boolean live(String status) {
    return !NEXT.getOrDefault(status, Set.of()).isEmpty();
  }

  static boolean allowed(String from, String to) {
    return NEXT.getOrDefault(from, Set.of()).contains(to);
  }

  /**
   * Moves {@code job} to {@code to}, stamping {@code <to>_at}.
   *
   * @throws IllegalStateException if the machine has no such move
   */
  static void move(ObjectNode job, String to, long nowSec) {
    String from = job.path("status").asText();
    if (!allowed(from, to)) {
      throw new IllegalStateException("batch status " + from + " cannot become " + to);
    }
    job.put("status", to);
    job.put(to + "_at", nowSec);
  }
}
