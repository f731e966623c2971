package io.sluice.router.topology;

/**
 * A record on its way out of the router: the value plus where it goes. The topic and partition are
 * read by the sink's {@code TopicNameExtractor} and {@code StreamPartitioner}; only the value is
 * written.
 *
 * @param partition a fixed partition (a bridge replica owns it), or {@code null}
 */
public record Outbound<T>(String topic, Integer partition, T value) {}
