package io.sluice.router.topology;

/**
 * A routed request that starts a pipeline run, already Confluent-encoded, on its way to {@code
 * sluice.pipeline.replies}.
 */
record PipelineStart(byte[] wire) {}
