package io.sluice.loadtest.report;

import java.util.Map;

/**
 * The measured window of one run (the warm-up excluded).
 *
 * @param measuredSeconds length of the measured window
 * @param scheduled arrivals the schedule placed in the measured window
 * @param sent requests actually sent
 * @param ok OK replies
 * @param errors ERROR replies, failed sends and timeouts
 * @param errorCodes errors by code ({@code timeout}, {@code send_failed}, stable codes...)
 * @param unsent arrivals never sent because the run ended with them still in the backlog
 * @param intendedRate scheduled arrivals per second
 * @param sendRate requests sent per second
 * @param throughput OK replies per second
 * @param latency latency of OK replies from the INTENDED send time (coordinated omission corrected)
 * @param serviceTime latency of OK replies from the ACTUAL send time, for comparison only
 * @param sendDelay how late requests were sent after their intended time
 * @param byPriority latency by priority class
 * @param byVariant replies and latency by experiment variant
 * @param stickyKeys keys that received at least one variant-naming reply
 * @param stickyViolations of those, keys served by more than one variant
 * @param maxBacklog largest backlog (arrivals waiting for a concurrency slot)
 * @param lateSends sends later than the late threshold after their intended time
 * @param maxInFlight most requests in flight at once
 * @param observedBatchSize mean micro-batch size per deployment as seen in this run's replies
 *     (replies sharing deployment, flush and start time); other callers' requests in the same batch
 *     are not seen, so this is a lower bound
 * @param stages OK replies' time per stage of the path ({@code created_to_routed}, {@code
 *     routed_to_flushed}, {@code flushed_to_started}, {@code started_to_finished}, {@code
 *     finished_to_received}; see {@code StageTimes}), from the replies' timings (Kafka entry path
 *     only; empty otherwise)
 */
public record Summary(
    double measuredSeconds,
    long scheduled,
    long sent,
    long ok,
    long errors,
    Map<String, Long> errorCodes,
    long unsent,
    double intendedRate,
    double sendRate,
    double throughput,
    Percentiles latency,
    Percentiles serviceTime,
    Percentiles sendDelay,
    Map<String, Percentiles> byPriority,
    Map<String, VariantStats> byVariant,
    long stickyKeys,
    long stickyViolations,
    long maxBacklog,
    long lateSends,
    long maxInFlight,
    Map<String, Double> observedBatchSize,
    Map<String, Percentiles> stages) {}
