package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.Acks;
import io.sluice.testkit.Records;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's check on the real dev stack (router, LLM workers on the simulator, the scaling law): a
 * burst scales a chat deployment from 1 replica up, every request is answered, and once idle it
 * scales back to its minimum. The time from burst to the first scale-up is printed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DevStackScalingIT {
  @TempDir Path dataDir;

  @Test
  void aBurstScalesChatUpWithNoRequestLostAndIdleScalesItBack() throws Exception {
    try (DevStack stack =
        new DevStack(DevStackSettings.freePorts(DevStackIT.EXAMPLE, dataDir)).start()) {
      String replies = "it.scaling.replies";
      try (Admin admin =
          Admin.create(Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(replies, 1, (short) 1))).all().get();
      }
      List<ScaledDeployment> chat =
          stack.autoscaler().deployments().stream()
              .filter(d -> d.deployment().startsWith("chat-"))
              .toList();
      assertThat(chat).extracting(ScaledDeployment::replicas).containsOnly(1);

      SerdeConfig serde = SerdeConfig.of(stack.registryUrl());
      int burst = 400;
      Set<String> answered = ConcurrentHashMap.newKeySet();
      try (AvroSerde<InferenceRequest> req = AvroSerde.of(InferenceRequest.class, serde, false);
          AvroSerde<InferenceResponse> rsp = AvroSerde.of(InferenceResponse.class, serde, false);
          KafkaProducer<String, InferenceRequest> producer =
              new KafkaProducer<>(
                  Map.of("bootstrap.servers", stack.bootstrapServers()),
                  new StringSerializer(),
                  req.serializer());
          KafkaConsumer<String, InferenceResponse> consumer =
              new KafkaConsumer<>(
                  Map.of(
                      "bootstrap.servers", stack.bootstrapServers(),
                      "group.id", "it-scaling",
                      "auto.offset.reset", "earliest"),
                  new StringDeserializer(),
                  rsp.deserializer())) {
        consumer.subscribe(List.of(replies));
        long burstAt = System.nanoTime();
        List<ProducerRecord<String, InferenceRequest>> requests = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
          requests.add(
              new ProducerRecord<>(Topics.requests("chat"), "user-" + i, chat("r-" + i, replies)));
        }
        Acks.sendAll(producer, requests);

        long[] firstScaleUpMs = {-1};
        await()
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  for (ConsumerRecord<String, InferenceResponse> r :
                      consumer.poll(Duration.ofMillis(100))) {
                    if (r.value().getStatus() == ResponseStatus.OK && r.value().getFinalChunk()) {
                      answered.add(r.value().getRequestId());
                    }
                  }
                  if (firstScaleUpMs[0] < 0 && chat.stream().anyMatch(d -> d.replicas() > 1)) {
                    firstScaleUpMs[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstAt);
                  }
                  return answered.size() == burst;
                });
        System.out.printf(
            "[sluice] dev stack: burst of %d chat requests -> first scale-up after %d ms; "
                + "max replicas %s; all %d answered after %d ms%n",
            burst,
            firstScaleUpMs[0],
            chat.stream()
                .map(
                    d ->
                        d.deployment()
                            + "="
                            + d.changes().stream()
                                .mapToInt(ScaledDeployment.Change::to)
                                .max()
                                .orElse(1))
                .toList(),
            burst,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstAt));
      }
      assertThat(answered).hasSize(burst);
      assertThat(chat)
          .as("a chat deployment scaled above 1 replica")
          .anySatisfy(
              d ->
                  assertThat(d.changes())
                      .extracting(ScaledDeployment.Change::to)
                      .anyMatch(n -> n > 1));
      // Idle again: back to the minimum of 1 after the (test-short) scale-down window.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> chat.stream().allMatch(d -> d.replicas() == 1));

      // The replicas scaled away took their meters with them: the workers' own replica gauge
      // counts the one left per deployment, as Prometheus would sum it in a cluster, and no gauge
      // of a stopped replica reads NaN.
      String scrape =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(stack.endpoints().get("Workers metrics")))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(scrape).doesNotContain("NaN");
      for (ScaledDeployment d : chat) {
        assertThat(
                scrape
                    .lines()
                    .filter(l -> l.startsWith("sluice_worker_up{"))
                    .filter(l -> l.contains("deployment=\"" + d.deployment() + "\""))
                    .toList())
            .as(d.deployment())
            .singleElement()
            .asString()
            .endsWith(" 1.0");
      }
    }
  }

  private static InferenceRequest chat(String id, String replyTo) {
    return Records.chat("chat", id, "count to sixty four", 64)
        .setReplyTo(replyTo)
        .setCreatedAtMs(Instant.now())
        .build();
  }
}
