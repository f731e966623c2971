package io.sluice.router.topology;

/**
 * A routed request on its way to the batching sub-topology: its Confluent-wire-format Avro bytes
 * (deployment, variant, shadow and routedAtMs set).
 */
record Routed(byte[] wire) {}
