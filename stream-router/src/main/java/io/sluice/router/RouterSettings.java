package io.sluice.router;

import io.sluice.router.batch.BatchLimits;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What the topology needs to know, already validated: where schemas live, which topics carry
 * requests, the default batching limits and how often the batch buffers are checked.
 *
 * @param schemaRegistryUrl base URL of the Schema Registry, or {@code mock://scope} in tests
 * @param requestTopics pattern of the request topics; new apps' topics are picked up without a
 *     restart
 * @param defaultLimits batching limits of deployments whose route names none
 * @param punctuateInterval how often (wall clock) buffers are checked for {@code maxWaitMs}
 */
public record RouterSettings(
    String schemaRegistryUrl,
    Pattern requestTopics,
    BatchLimits defaultLimits,
    Duration punctuateInterval) {

  public static final String DEFAULT_REQUEST_PATTERN = "sluice\\.requests\\..*";

  public RouterSettings {
    if (punctuateInterval.isNegative() || punctuateInterval.isZero()) {
      throw new IllegalArgumentException("punctuateInterval must be positive");
    }
  }

  /** Defaults: every request topic, batches of 8, 10 ms wait, no token budget, 5 ms checks. */
  public static RouterSettings defaults(String schemaRegistryUrl) {
    return new RouterSettings(
        schemaRegistryUrl,
        Pattern.compile(DEFAULT_REQUEST_PATTERN),
        new BatchLimits(8, 10, null),
        Duration.ofMillis(5));
  }

  public RouterSettings withDefaultLimits(BatchLimits limits) {
    return new RouterSettings(schemaRegistryUrl, requestTopics, limits, punctuateInterval);
  }
}
