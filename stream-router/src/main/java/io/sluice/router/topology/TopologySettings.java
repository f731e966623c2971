package io.sluice.router.topology;

import io.sluice.common.config.ConnectionKeys;
import io.sluice.router.batch.BatchLimits;
import io.sluice.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What the topology needs to know, already validated (the topology's part of {@code
 * io.sluice.router.RouterConfig}, which {@code RouterTopology.build} takes alone so that a test can
 * drive it without a whole process configuration): where schemas live, which topics carry requests,
 * the default batching limits and how often the batch buffers are checked.
 *
 * @param serde the Schema Registry settings (URL, or {@code mock://scope} in tests; basic auth,
 *     TLS)
 * @param requestTopics pattern of the request topics; new apps' topics are picked up without a
 *     restart
 * @param defaultLimits batching limits of deployments whose route names none
 * @param punctuateInterval how often (wall clock) buffers are checked for {@code maxWaitMs}
 * @param partitions partitions of the routed-requests repartition topic: the number of batching
 *     tasks, independent of how many partitions any request topic has
 * @param maxMessageBytes the largest record the router may write ({@code
 *     sluice.kafka.max-message-bytes}); batches and dead letters are kept below it
 */
public record TopologySettings(
    SerdeConfig serde,
    Pattern requestTopics,
    BatchLimits defaultLimits,
    Duration punctuateInterval,
    int partitions,
    int maxMessageBytes) {

  public static final String DEFAULT_REQUEST_PATTERN = "sluice\\.requests\\..*";
  public static final int DEFAULT_PARTITIONS = 6;

  public TopologySettings {
    java.util.Objects.requireNonNull(serde, "serde");
    if (punctuateInterval.isNegative() || punctuateInterval.isZero()) {
      throw new IllegalArgumentException("punctuateInterval must be positive");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
    }
    if (maxMessageBytes < 64 * 1024) {
      throw new IllegalArgumentException("maxMessageBytes must be at least 64 KiB");
    }
  }

  /** Defaults: every request topic, batches of 8, 10 ms wait, no token budget, 5 ms checks. */
  public static TopologySettings defaults(String schemaRegistryUrl) {
    return new TopologySettings(
        SerdeConfig.of(schemaRegistryUrl),
        Pattern.compile(DEFAULT_REQUEST_PATTERN),
        new BatchLimits(8, 10, null),
        Duration.ofMillis(5),
        DEFAULT_PARTITIONS,
        ConnectionKeys.DEFAULT_MAX_MESSAGE_BYTES);
  }

  /** The Schema Registry base URL(s) of {@link #serde()}. */
  public String schemaRegistryUrl() {
    return serde.registryUrl();
  }

  public TopologySettings withDefaultLimits(BatchLimits limits) {
    return new TopologySettings(
        serde, requestTopics, limits, punctuateInterval, partitions, maxMessageBytes);
  }

  public TopologySettings withMaxMessageBytes(int bytes) {
    return new TopologySettings(
        serde, requestTopics, defaultLimits, punctuateInterval, partitions, bytes);
  }
}
