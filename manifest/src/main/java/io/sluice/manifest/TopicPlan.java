package io.sluice.manifest;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.RouteConfig;
import io.sluice.schemas.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Every topic a manifest needs, with its partitions, settings and the schema of its values (so
 * {@code sluice apply} can register each subject before the first request).
 */
public final class TopicPlan {
  /** The bridge's default {@code sluice.bridge.batch.retention-ms}: 7 days. */
  private static final String BATCH_RETENTION_MS = Long.toString(7L * 24 * 3600 * 1000);

  private TopicPlan() {}

  /**
   * A topic to have.
   *
   * @param name topic name
   * @param partitions partitions it needs at least
   * @param configs topic settings (cleanup policy)
   * @param valueSchema the Avro schema of its values, registered as {@code <name>-value}; null for
   *     a topic whose values are not Avro (the batch API's JSON files and job records)
   */
  public record TopicSpec(
      String name, int partitions, Map<String, String> configs, Schema valueSchema) {
    public TopicSpec {
      configs = Map.copyOf(configs);
    }
  }

  public static List<TopicSpec> of(Manifest m) {
    Map<String, TopicSpec> topics = new LinkedHashMap<>();
    add(
        topics,
        Topics.ROUTES,
        1,
        Map.of("cleanup.policy", "compact"),
        RouteConfig.getClassSchema());
    add(topics, Topics.DLQ_ROUTER, 1, Map.of(), DeadLetter.getClassSchema());
    // The bridge's batch API (docs/BATCH.md), with the bridge's default partitions and retention;
    // the bridge creates them the same way if they are missing.
    Map<String, String> batchKept =
        Map.of("cleanup.policy", "compact,delete", "retention.ms", BATCH_RETENTION_MS);
    add(topics, Topics.BATCH_FILES, 4, batchKept, null);
    add(topics, Topics.BATCH_JOBS, 4, batchKept, null);
    add(
        topics,
        Topics.BATCH_EVENTS,
        8,
        Map.of("retention.ms", BATCH_RETENTION_MS),
        InferenceResponse.getClassSchema());
    for (AppSpec a : m.apps().values()) {
      add(
          topics,
          Topics.requests(a.name()),
          a.partitions(),
          Map.of(),
          InferenceRequest.getClassSchema());
      add(
          topics,
          Topics.responses(a.name()),
          a.partitions(),
          Map.of(),
          InferenceResponse.getClassSchema());
      add(
          topics,
          Topics.shadowResponses(a.name()),
          1,
          Map.of(),
          InferenceResponse.getClassSchema());
      if (a.route().replyTopic() != null) {
        add(
            topics,
            a.route().replyTopic(),
            a.partitions(),
            Map.of(),
            InferenceResponse.getClassSchema());
      }
    }
    if (m.usesPipelines()) {
      // Runs live on a partition of this topic and their step replies come back to it, so it is
      // as wide as the widest deployment topic the steps are spread over.
      int partitions =
          m.deployments().values().stream().mapToInt(DeploymentSpec::partitions).max().orElse(1);
      add(
          topics,
          Topics.PIPELINE_REPLIES,
          Math.max(1, partitions),
          Map.of(),
          InferenceResponse.getClassSchema());
    }
    for (DeploymentSpec d : m.deployments().values()) {
      add(
          topics,
          Topics.batches(d.name()),
          d.partitions(),
          Map.of(),
          InferenceBatch.getClassSchema());
      add(topics, Topics.dlq(d.name()), 1, Map.of(), DeadLetter.getClassSchema());
    }
    return new ArrayList<>(topics.values());
  }

  private static void add(
      Map<String, TopicSpec> topics,
      String name,
      int partitions,
      Map<String, String> configs,
      Schema schema) {
    topics.putIfAbsent(name, new TopicSpec(name, partitions, configs, schema));
  }
}
