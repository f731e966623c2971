package io.sluice.loadtest.faults;

import java.util.List;
import java.util.Map;

/**
 * The result of one fault run, as printed and written to {@code faults.json}.
 *
 * @param settings what ran
 * @param loadAverageBefore the machine's 1-minute load average when the run started
 * @param loadAverageAfter the same when it ended
 * @param total counts over both entry paths
 * @param byPath counts per entry path ({@code kafka}, {@code http})
 * @param kills one entry per SIGKILL, in order
 * @param lostIds up to 20 ids of lost requests, to look up in the logs
 * @param unmatchedReplies replies on the reply topics that named no tracked request (an HTTP call
 *     retried on another bridge after its first bridge died mid-call, or undecodable)
 * @param normalDefinition what "normal again" means, in words
 */
public record FaultRun(
    FaultSuite.Settings settings,
    double loadAverageBefore,
    double loadAverageAfter,
    Counts total,
    Map<String, Counts> byPath,
    List<Kill> kills,
    List<String> lostIds,
    long unmatchedReplies,
    String normalDefinition) {

  /**
   * Request counts.
   *
   * @param sent requests the schedule sent
   * @param accepted acknowledged by the producer, or answered 202 by a bridge
   * @param notAccepted by reason (never counted as lost: the caller was told)
   * @param answered accepted and answered (OK or error reply)
   * @param answeredOnce answered, and at most one reply seen on Kafka
   * @param duplicates answered, with more than one reply seen on Kafka
   * @param lost accepted and never answered by the end of the drain
   * @param errorReplies answered with an error, by code
   */
  public record Counts(
      long sent,
      long accepted,
      Map<String, Long> notAccepted,
      long answered,
      long answeredOnce,
      long duplicates,
      long lost,
      Map<String, Long> errorReplies) {
    public double duplicatePercent() {
      return accepted == 0 ? 0 : 100.0 * duplicates / accepted;
    }
  }

  /**
   * One SIGKILL and what it cost.
   *
   * @param kind router, worker or bridge
   * @param victim the process killed
   * @param killedAtMs since the load started
   * @param restartedAtMs since the load started (the same process, arguments and instance id)
   * @param readyAfterRestartMs from the restart until its {@code /readyz} said 200
   * @param recovery see {@link Recovery}
   */
  public record Kill(
      String kind,
      String victim,
      long killedAtMs,
      long restartedAtMs,
      long readyAfterRestartMs,
      Recovery.Result recovery) {}
}
