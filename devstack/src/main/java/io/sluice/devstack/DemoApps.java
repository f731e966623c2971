package io.sluice.devstack;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Stickiness;
import io.sluice.avro.Variant;
import io.sluice.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The apps the dev stack serves out of the box: {@code chat}, an LLM chat app on the vLLM simulator
 * split 50/50 between deployments {@code chat-a} and {@code chat-b}, and {@code sentiment}, a CPU
 * function.
 */
public final class DemoApps {
  /** Partitions of each deployment topic: at least the most worker replicas the dev stack runs. */
  public static final int DEPLOYMENT_PARTITIONS = 4;

  /** Partitions of each request and reply topic. */
  public static final int APP_PARTITIONS = 3;

  private DemoApps() {}

  public static List<RouteConfig> routes() {
    return List.of(
        RouteConfig.newBuilder()
            .setApp("chat")
            .setVariants(List.of(variant("a", "chat-a", 50), variant("b", "chat-b", 50)))
            .setStickiness(Stickiness.RECORD_KEY)
            .setSalt("chat-ab-1")
            .setBatching(
                Map.of(
                    "chat-a", batching(8, 20),
                    "chat-b", batching(8, 20)))
            .setUpdatedAtMs(Instant.now())
            .build(),
        RouteConfig.newBuilder()
            .setApp("sentiment")
            .setVariants(List.of(variant("main", "sentiment", 100)))
            .setBatching(Map.of("sentiment", batching(32, 5)))
            .setUpdatedAtMs(Instant.now())
            .build());
  }

  private static Variant variant(String name, String deployment, double weight) {
    return Variant.newBuilder().setName(name).setDeployment(deployment).setWeight(weight).build();
  }

  private static BatchingSettings batching(int size, long waitMs) {
    return BatchingSettings.newBuilder().setMaxBatchSize(size).setMaxWaitMs(waitMs).build();
  }

  /** Every topic the given routes need, plus the router's own. */
  public static List<NewTopic> topicsFor(List<RouteConfig> routes) {
    Set<String> apps = new LinkedHashSet<>();
    Set<String> deployments = new LinkedHashSet<>();
    for (RouteConfig r : routes) {
      apps.add(r.getApp());
      r.getVariants().forEach(v -> deployments.add(v.getDeployment()));
      r.getShadows().forEach(s -> deployments.add(s.getDeployment()));
    }
    List<NewTopic> topics = new ArrayList<>();
    topics.add(
        new NewTopic(Topics.ROUTES, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
    topics.add(new NewTopic(Topics.DLQ_ROUTER, 1, (short) 1));
    for (String app : apps) {
      topics.add(new NewTopic(Topics.requests(app), APP_PARTITIONS, (short) 1));
      topics.add(new NewTopic(Topics.responses(app), APP_PARTITIONS, (short) 1));
      topics.add(new NewTopic(Topics.shadowResponses(app), 1, (short) 1));
    }
    for (String d : deployments) {
      topics.add(new NewTopic(Topics.batches(d), DEPLOYMENT_PARTITIONS, (short) 1));
      topics.add(new NewTopic(Topics.dlq(d), 1, (short) 1));
    }
    return topics;
  }
}
