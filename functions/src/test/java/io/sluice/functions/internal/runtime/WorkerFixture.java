package io.sluice.functions.internal.runtime;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.functions.worker.WorkerConfig;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.KafkaCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topics, serdes and record builders of one worker integration test. */
final class WorkerFixture implements AutoCloseable {
  final KafkaCluster kafka;
  final String deployment;
  final String app;
  final String batches;
  final String responses;
  final String dlq;
  final String registryUrl;
  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerde<InferenceBatch> batchSerde;
  private final AvroSerde<InferenceResponse> responseSerde;
  private final AvroSerde<DeadLetter> dlqSerde;

  WorkerFixture(KafkaCluster kafka, int partitions) {
    this.kafka = kafka;
    this.deployment = kafka.uniqueId("dep");
    this.app = kafka.uniqueId("app");
    this.batches = kafka.createTopic(Topics.batches(deployment), partitions);
    this.responses = kafka.createTopic(Topics.responses(app), 1);
    this.dlq = kafka.createTopic(Topics.dlq(deployment), 1);
    this.registryUrl = "mock://" + kafka.uniqueId("registry");
    SerdeConfig serde = SerdeConfig.of(registryUrl);
    this.batchSerde = AvroSerde.of(InferenceBatch.class, serde, false);
    this.responseSerde = AvroSerde.of(InferenceResponse.class, serde, false);
    this.dlqSerde = AvroSerde.of(DeadLetter.class, serde, false);
    Properties p = kafka.producerProperties();
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  Map<String, String> config() {
    Map<String, String> c = new HashMap<>();
    c.put(WorkerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    c.put(WorkerConfig.SCHEMA_REGISTRY_URL, registryUrl);
    c.put(WorkerConfig.MANAGEMENT_PORT, "-1");
    c.put(WorkerConfig.DEPLOYMENT, deployment);
    c.put(WorkerConfig.FUNCTION, "test");
    c.put(WorkerConfig.RETRY_INITIAL_MS, "10");
    c.put(WorkerConfig.RETRY_MAX_MS, "50");
    c.put(WorkerConfig.DRAIN_SECONDS, "20");
    return c; // the session timeout is the shared sluice.kafka.session-timeout-ms (6 s)
  }

  WorkerConfig workerConfig(Map<String, String> extra) {
    Map<String, String> c = config();
    c.putAll(extra);
    return WorkerConfig.of(c);
  }

  InferenceRequest request(String id, String text) {
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setApp(app)
        .setDeployment(deployment)
        .setInput(JsonInput.newBuilder().setJson("\"" + text + "\"").build())
        .setCreatedAtMs(Instant.now())
        .build();
  }

  void send(String batchId, List<InferenceRequest> requests) throws Exception {
    InferenceBatch b =
        InferenceBatch.newBuilder()
            .setBatchId(batchId)
            .setDeployment(deployment)
            .setRequests(requests)
            .setFlushedAtMs(Instant.now())
            .build();
    producer
        .send(new ProducerRecord<>(batches, batchId, batchSerde.serializer().serialize(batches, b)))
        .get(30, TimeUnit.SECONDS);
  }

  void send(String batchId, List<InferenceRequest> requests, int partition) throws Exception {
    InferenceBatch b =
        InferenceBatch.newBuilder()
            .setBatchId(batchId)
            .setDeployment(deployment)
            .setRequests(requests)
            .setFlushedAtMs(Instant.now())
            .build();
    producer
        .send(
            new ProducerRecord<>(
                batches, partition, batchId, batchSerde.serializer().serialize(batches, b)))
        .get(30, TimeUnit.SECONDS);
  }

  void sendRaw(String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(batches, key, value)).get(30, TimeUnit.SECONDS);
  }

  /** Reads everything so far plus what arrives until {@code enough} (read_committed). */
  List<InferenceResponse> replies(java.util.function.Predicate<List<InferenceResponse>> enough) {
    return read(responses, responseSerde.deserializer()::deserialize, enough);
  }

  List<DeadLetter> deadLetters(java.util.function.Predicate<List<DeadLetter>> enough) {
    return read(dlq, dlqSerde.deserializer()::deserialize, enough);
  }

  private <T> List<T> read(
      String topic,
      java.util.function.BiFunction<String, byte[], T> decode,
      java.util.function.Predicate<List<T>> enough) {
    Properties p = kafka.consumerProperties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(topic));
      org.awaitility.Awaitility.await(topic)
          .atMost(Duration.ofSeconds(60))
          .pollDelay(Duration.ZERO)
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                  out.add(decode.apply(topic, r.value()));
                }
                return enough.test(out);
              });
    }
    return out;
  }

  /** The group's committed offset sum over the batches topic. */
  long committed() throws Exception {
    return kafka
        .admin()
        .listConsumerGroupOffsets(Topics.workerGroup(deployment))
        .partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS)
        .values()
        .stream()
        .filter(o -> o != null)
        .mapToLong(o -> o.offset())
        .sum();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
