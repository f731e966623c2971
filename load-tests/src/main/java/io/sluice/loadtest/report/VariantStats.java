package io.sluice.loadtest.report;

/**
 * The requests one experiment variant answered.
 *
 * @param replies OK and ERROR replies naming this variant
 * @param share {@code replies} over all replies that named a variant
 * @param latency latency of this variant's OK replies
 */
public record VariantStats(long replies, double share, Percentiles latency) {}
