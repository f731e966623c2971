package io.sluice.bridge.internal;

import io.sluice.avro.InferenceResponse;
import io.sluice.bridge.batch.BatchLine;
import io.sluice.bridge.batch.BatchLines;
import io.sluice.schemas.ErrorCodes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One running batch on the replica that owns it: which lines are answered (the first reply per line
 * wins, later duplicates are dropped, so the output has exactly one line per input line), which are
 * in flight and since when, and which to send next within the window. No Kafka here: the runner
 * ({@link BatchRunner}) feeds it replies and sends what it says.
 */
final class BatchRun {
  /** What became of a reply. */
  enum Outcome {
    COMPLETED,
    FAILED,
    DUPLICATE,
    /** A deadline_exceeded reply to a line sent again since (the resend will answer it). */
    IGNORED,
    UNKNOWN_LINE
  }

  private record Result(boolean ok, String json) {}

  final String id;
  private final Map<Integer, BatchLine> lines = new LinkedHashMap<>();
  private final List<Integer> order = new ArrayList<>();
  private final TreeMap<Integer, Result> results = new TreeMap<>();
  private final Map<Integer, Long> inFlight = new LinkedHashMap<>();
  private int next;
  private int completed;
  private int failed;

  BatchRun(String id, List<BatchLine> lines) {
    this.id = id;
    for (BatchLine l : lines) {
      this.lines.put(l.line(), l);
      order.add(l.line());
    }
  }

  /** The line numbers to send now: unanswered lines sent longer than {@code lineTimeoutMs} ago. */
  List<Integer> toSend(long nowMs, int window, long lineTimeoutMs) {
    List<Integer> out = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : inFlight.entrySet()) {
      if (nowMs - e.getValue() >= lineTimeoutMs) {
        out.add(e.getKey());
      }
    }
    for (int l : out) {
      inFlight.put(l, nowMs);
    }
    while (inFlight.size() < window && next < order.size()) {
      int l = order.get(next++);
      if (!results.containsKey(l)) {
        inFlight.put(l, nowMs);
        out.add(l);
      }
    }
    return out;
  }

  /** A line whose send failed: sent again on the next {@link #toSend}. */
  void sendFailed(int line) {
    if (inFlight.containsKey(line)) {
      inFlight.put(line, Long.MIN_VALUE / 2);
    }
  }

  BatchLine line(int lineNo) {
    return lines.get(lineNo);
  }

  /** Records the first reply of a line; a later one is a duplicate. */
  Outcome onReply(int lineNo, InferenceResponse reply) {
    BatchLine l = lines.get(lineNo);
    if (l == null) {
      return Outcome.UNKNOWN_LINE;
    }
    if (results.containsKey(lineNo)) {
      return Outcome.DUPLICATE;
    }
    if (!BatchLines.succeeded(reply)
        && reply.getError() != null
        && ErrorCodes.DEADLINE_EXCEEDED.equals(reply.getError().getCode())) {
      // The line's own deadline passed (it is resent after the line timeout, with a new one);
      // lines the job could not finish in time become batch_expired when the job expires.
      return Outcome.IGNORED;
    }
    boolean ok = BatchLines.succeeded(reply);
    results.put(lineNo, new Result(ok, BatchLines.outputLine(l.customId(), l.endpoint(), reply)));
    inFlight.remove(lineNo);
    if (ok) {
      completed++;
    } else {
      failed++;
    }
    return ok ? Outcome.COMPLETED : Outcome.FAILED;
  }

  int total() {
    return order.size();
  }

  int completed() {
    return completed;
  }

  int failed() {
    return failed;
  }

  int inFlight() {
    return inFlight.size();
  }

  boolean done() {
    return results.size() == order.size();
  }

  /** The output file: one line per successful input line, in input order. */
  String output() {
    StringBuilder sb = new StringBuilder();
    results.values().stream().filter(Result::ok).forEach(r -> sb.append(r.json()).append('\n'));
    return sb.toString();
  }

  /**
   * The error file: failed lines, then (if {@code unansweredCode} is set, as on expiry) a line per
   * unanswered input line with that code.
   */
  String errors(String unansweredCode, String message) {
    StringBuilder sb = new StringBuilder();
    for (int l : order) {
      Result r = results.get(l);
      if (r != null && !r.ok()) {
        sb.append(r.json()).append('\n');
      } else if (r == null && unansweredCode != null) {
        BatchLine bl = lines.get(l);
        sb.append(
                BatchLines.errorLine(
                    BatchLines.requestId(id, l), bl.customId(), unansweredCode, message))
            .append('\n');
      }
    }
    return sb.toString();
  }

  int unanswered() {
    return order.size() - results.size();
  }
}
