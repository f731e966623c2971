package io.sluice.loadtest.report;

import java.util.Map;

/**
 * One interval of a run's timeline.
 *
 * @param t end of the interval, seconds since the run started
 * @param phase label of the rate phase the interval ends in
 * @param warmup the interval ends inside the warm-up
 * @param sent requests sent in the interval
 * @param ok OK replies received in the interval
 * @param errors error replies and timeouts in the interval
 * @param p50 median latency (ms, from intended send time) of the interval's replies
 * @param p99 99th percentile latency (ms)
 * @param max highest latency (ms)
 * @param backlog arrivals due but not yet sent (over the concurrency limit) at the end
 * @param inFlight requests sent and not yet answered at the end
 * @param gauges sampled from the system under test, e.g. {@code replicas.chat-a}
 */
public record TimelinePoint(
    double t,
    String phase,
    boolean warmup,
    long sent,
    long ok,
    long errors,
    double p50,
    double p99,
    double max,
    long backlog,
    long inFlight,
    Map<String, Double> gauges) {}
