package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.manifest.InvalidManifestException;
import io.sluice.schemas.Topics;
import io.sluice.schemas.registry.RestSchemaRegistryClient;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DevStackIT {
  /** The demo apps' manifest, which {@code ./sluice dev} runs without {@code -f}. */
  static final Path EXAMPLE = Path.of("../examples/sluice.yaml");

  @TempDir Path dataDir;

  private DevStackSettings settings(boolean fresh) {
    return DevStackSettings.freePorts(DevStackIT.EXAMPLE, dataDir).withFresh(fresh);
  }

  @Test
  void startsBrokerAndRegistryWithTheDemoTopicsAndKeepsDataAcrossRestarts() throws Exception {
    try (DevStack stack = new DevStack(settings(false)).start()) {
      assertThat(stack.endpoints()).containsKeys("Kafka bootstrap", "Schema Registry");
      try (Admin admin = admin(stack)) {
        Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        assertThat(topics)
            .contains(
                Topics.ROUTES,
                Topics.DLQ_ROUTER,
                Topics.requests("chat"),
                Topics.responses("chat"),
                Topics.batches("chat-a"),
                Topics.batches("chat-b"),
                Topics.dlq("sentiment"),
                Topics.requests("analyze"),
                Topics.batches("preprocess"),
                Topics.PIPELINE_REPLIES);
        assertThat(routesEnd(admin)).isEqualTo(stack.manifest().apps().size());
      }
      // Every subject is registered before the first request: a foreign producer can start.
      assertThat(RestSchemaRegistryClient.builder(stack.registryUrl()).build().subjects())
          .contains(
              Topics.ROUTES + "-value",
              Topics.requests("chat") + "-value",
              Topics.requests("sentiment") + "-value",
              Topics.batches("chat-a") + "-value",
              Topics.responses("sentiment") + "-value",
              Topics.dlq("sentiment") + "-value");
      assertThat(stack.runningDeployments())
          .containsExactly("chat-a", "chat-b", "embedder", "sentiment", "preprocess");
      assertRouterBatches(stack);
    }

    // Same data directory: the manifest is already in force, so nothing is published again.
    try (DevStack again = new DevStack(settings(false)).start();
        Admin admin = admin(again)) {
      assertThat(routesEnd(admin)).isEqualTo(again.manifest().apps().size());
      assertThat(RestSchemaRegistryClient.builder(again.registryUrl()).build().subjects())
          .contains(Topics.ROUTES + "-value");
    }

    // --fresh wipes it.
    try (DevStack fresh = new DevStack(settings(true)).start();
        Admin admin = admin(fresh)) {
      assertThat(routesEnd(admin)).isEqualTo(fresh.manifest().apps().size());
    }
  }

  @Test
  void anEditedManifestIsAppliedWhileTheStackRunsAndABadEditChangesNothing(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.copy(EXAMPLE, file);
    try (DevStack stack =
        new DevStack(DevStackSettings.freePorts(file, dataDir.resolve("edit"))).start()) {
      String original = Files.readString(file);
      // A new deployment, and the sentiment app split between it and the old one.
      Files.writeString(
          file,
          original
              .replace(
                  "apps:\n",
                  "  sentiment-b:\n    function: sentiment\n    scaling: {minReplicas: 1,"
                      + " maxReplicas: 2}\n\napps:\n")
              .replace(
                  "        - {name: main, deployment: sentiment}",
                  "        - {name: main, deployment: sentiment}\n"
                      + "        - {name: next, deployment: sentiment-b, weight: 3}"));
      await("the watcher applies the edit")
          .atMost(Duration.ofSeconds(30))
          .until(() -> stack.runningDeployments().contains("sentiment-b"));
      try (Admin admin = admin(stack)) {
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
            .contains(Topics.batches("sentiment-b"));
      }
      assertThat(stack.manifest().apps().get("sentiment").route().variants()).hasSize(2);
      assertThat(stack.reload()).as("the same file again changes nothing").isEmpty();

      // An edit that does not validate is refused with its line, and the stack keeps running.
      Files.writeString(file, original.replace("maxBatchSize: 32", "maxBatchSize: 0"));
      assertThatThrownBy(stack::reload)
          .isInstanceOf(InvalidManifestException.class)
          .hasMessageContaining("deployments.sentiment.batching.maxBatchSize");
      assertThat(stack.runningDeployments()).contains("sentiment-b");
      assertThat(stack.manifest().deployment("sentiment").batching().maxBatchSize()).isEqualTo(32);
    }
  }

  @Test
  void anUnknownFunctionStopsStartUpNamingTheKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(
        file,
        Files.readString(EXAMPLE).replace("function: sentiment", "function: no-such-function"));
    assertThatThrownBy(
            () -> new DevStack(DevStackSettings.freePorts(file, dataDir.resolve("bad"))).start())
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining(
            "deployments.sentiment.function: no function named 'no-such-function'");
  }

  /** A request to the sentiment app comes out of the router in a batch for its deployment. */
  private static void assertRouterBatches(DevStack stack) throws Exception {
    SerdeConfig serde = SerdeConfig.of(stack.registryUrl());
    Map<String, Object> common = Map.of("bootstrap.servers", stack.bootstrapServers());
    try (AvroSerde<InferenceRequest> requests = AvroSerde.of(InferenceRequest.class, serde, false);
        AvroSerde<InferenceBatch> batches = AvroSerde.of(InferenceBatch.class, serde, false);
        KafkaProducer<String, InferenceRequest> producer =
            new KafkaProducer<>(common, new StringSerializer(), requests.serializer());
        KafkaConsumer<String, InferenceBatch> consumer =
            new KafkaConsumer<>(
                Map.of(
                    "bootstrap.servers",
                    stack.bootstrapServers(),
                    "group.id",
                    "devstack-it-" + System.nanoTime(),
                    "auto.offset.reset",
                    "earliest"),
                new StringDeserializer(),
                batches.deserializer())) {
      InferenceRequest r =
          InferenceRequest.newBuilder()
              .setRequestId("it-1")
              .setApp("sentiment")
              .setInput(JsonInput.newBuilder().setJson("{\"text\":\"great\"}").build())
              .setCreatedAtMs(Instant.now())
              .build();
      producer.send(new ProducerRecord<>(Topics.requests("sentiment"), "user-1", r)).get();
      consumer.subscribe(List.of(Topics.batches("sentiment")));
      List<String> ids = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, InferenceBatch> b :
                    consumer.poll(Duration.ofMillis(200))) {
                  b.value().getRequests().forEach(x -> ids.add(x.getRequestId()));
                }
                return ids.contains("it-1");
              });
    }
  }

  private static Admin admin(DevStack stack) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
  }

  private static long routesEnd(Admin admin) throws Exception {
    TopicPartition tp = new TopicPartition(Topics.ROUTES, 0);
    return admin
        .listOffsets(Map.of(tp, OffsetSpec.latest()))
        .partitionResult(tp)
        .get(10, TimeUnit.SECONDS)
        .offset();
  }
}
