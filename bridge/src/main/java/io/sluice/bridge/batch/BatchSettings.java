package io.sluice.bridge.batch;

/**
 * The batch API's settings ({@code sluice.bridge.batch.*} keys of {@code BridgeConfig}).
 *
 * @param filesTopic compacted topic of uploaded and result files (chunks and metadata)
 * @param jobsTopic compacted topic of batch job records, key = batch id
 * @param eventsTopic topic of the replies to batch lines and of cancel events; its partitions
 *     decide which replica runs a job
 * @param eventsPartitions partitions of the events topic when the bridge creates it
 * @param group consumer group of the replicas sharing the events topic
 * @param maxFileLines most lines in an uploaded batch file
 * @param maxFileBytes largest uploaded file
 * @param maxFiles most files kept (all keys together)
 * @param maxActive most batches not yet finished at once
 * @param retentionMs how long files and batch records are kept
 * @param window most lines of one job in flight at once
 * @param lineTimeoutMs after how long an unanswered line is sent again
 */
public record BatchSettings(
    String filesTopic,
    String jobsTopic,
    String eventsTopic,
    int eventsPartitions,
    String group,
    int maxFileLines,
    long maxFileBytes,
    int maxFiles,
    int maxActive,
    long retentionMs,
    int window,
    long lineTimeoutMs) {}
