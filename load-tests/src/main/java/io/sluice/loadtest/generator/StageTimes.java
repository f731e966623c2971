package io.sluice.loadtest.generator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where one request's time went, from its reply's {@code timings} (epoch ms, null where a stage was
 * not reported) and the moment the generator read the reply. The generator, broker, router and
 * workers share one clock on the dev stack, so the differences are meaningful there.
 *
 * @param createdMs the entry path created the request
 * @param routedMs the router put it in a micro-batch buffer
 * @param flushedMs its batch was flushed to the deployment topic
 * @param startedMs the worker started the function on its batch
 * @param finishedMs the function finished the item
 * @param receivedMs the generator read the reply
 */
public record StageTimes(
    Long createdMs,
    Long routedMs,
    Long flushedMs,
    Long startedMs,
    Long finishedMs,
    long receivedMs) {

  /**
   * The stage durations in ms, in path order, for the stages whose both ends are known: {@code
   * created_to_routed} (request topic and the router's read), {@code routed_to_flushed} (the batch
   * wait), {@code flushed_to_started} (the deployment topic, the worker's fetch and its wait for a
   * slot), {@code started_to_finished} (the function), {@code finished_to_received} (the reply's
   * write and read).
   */
  public Map<String, Long> durationsMs() {
    Map<String, Long> out = new LinkedHashMap<>();
    put(out, "created_to_routed", createdMs, routedMs);
    put(out, "routed_to_flushed", routedMs, flushedMs);
    put(out, "flushed_to_started", flushedMs, startedMs);
    put(out, "started_to_finished", startedMs, finishedMs);
    put(out, "finished_to_received", finishedMs, receivedMs);
    return out;
  }

  private static void put(Map<String, Long> out, String name, Long from, Long to) {
    if (from != null && to != null) {
      out.put(name, to - from);
    }
  }
}
