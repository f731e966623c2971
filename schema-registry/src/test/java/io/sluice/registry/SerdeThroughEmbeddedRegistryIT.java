package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.schemas.registry.RestSchemaRegistryClient;
import io.sluice.schemas.registry.SchemaMetadata;
import io.sluice.schemas.registry.SchemaRegistryException;
import io.sluice.schemas.serde.AvroDeserializer;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.AvroSerializer;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sluice's own serde and registry client against the embedded registry, over real HTTP and a real
 * broker: what the dev stack and every module rely on.
 */
@SluiceKafka
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SerdeThroughEmbeddedRegistryIT {
  private EmbeddedSchemaRegistry registry;

  @BeforeEach
  void start(KafkaCluster kafka) {
    registry =
        EmbeddedSchemaRegistry.builder(kafka.bootstrapServers(), 0)
            .topic(kafka.uniqueTopic("_schemas"))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void producesAndConsumesThroughTheBrokerWithTheSerde(KafkaCluster kafka) throws Exception {
    String topic = kafka.createTopic(kafka.uniqueTopic("sluice.requests.echo"), 2);
    SerdeConfig serdeConfig = SerdeConfig.of(registry.url());

    Properties pp = new Properties();
    pp.putAll(kafka.producerProperties());
    pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class.getName());
    pp.put(SerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
    try (KafkaProducer<String, InferenceRequest> producer = new KafkaProducer<>(pp)) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, request("r-" + i))).get();
      }
      producer.flush();
    }

    // A specific reader through AvroSerde...
    List<InferenceRequest> specific = new ArrayList<>();
    try (AvroSerde<InferenceRequest> serde =
            AvroSerde.of(InferenceRequest.class, serdeConfig, false);
        KafkaConsumer<String, InferenceRequest> consumer =
            new KafkaConsumer<>(
                kafka.consumerProperties(), new StringDeserializer(), serde.deserializer())) {
      consumer.subscribe(List.of(topic));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (specific.size() < 10 && System.nanoTime() < until) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> specific.add(r.value()));
      }
    }
    assertThat(specific)
        .extracting(InferenceRequest::getRequestId)
        .hasSize(10)
        .contains("r-0", "r-9");
    assertThat(specific.get(0).getInput()).isInstanceOf(JsonInput.class);

    // ...and a generic one configured by properties only, as a foreign client would be.
    Properties cp = new Properties();
    cp.putAll(kafka.consumerProperties());
    cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
    cp.put(SerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
    List<GenericRecord> generic = new ArrayList<>();
    try (KafkaConsumer<String, GenericRecord> consumer = new KafkaConsumer<>(cp)) {
      consumer.subscribe(List.of(topic));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (generic.size() < 10 && System.nanoTime() < until) {
        for (ConsumerRecord<String, GenericRecord> r : consumer.poll(Duration.ofMillis(200))) {
          generic.add(r.value());
        }
      }
    }
    assertThat(generic).hasSize(10);
    assertThat(generic.get(0).getSchema().getFullName())
        .isEqualTo("io.sluice.avro.InferenceRequest");
  }

  @Test
  void theRestClientGetsTheDocumentedAnswers() {
    RestSchemaRegistryClient client = RestSchemaRegistryClient.builder(registry.url()).build();
    String subject = "it-" + System.nanoTime() + "-value";
    Schema v1 = SchemaBuilder.record("R").namespace("t").fields().requiredString("id").endRecord();

    int id = client.register(subject, v1);
    RestSchemaRegistryClient fresh = RestSchemaRegistryClient.builder(registry.url()).build();
    assertThat(fresh.register(subject, v1)).as("same schema again, same id").isEqualTo(id);
    assertThat(fresh.getById(id)).isEqualTo(v1);
    SchemaMetadata latest = fresh.getLatest(subject);
    assertThat(latest.version()).isEqualTo(1);

    Schema incompatible =
        SchemaBuilder.record("R")
            .namespace("t")
            .fields()
            .requiredString("id")
            .requiredInt("n")
            .endRecord();
    assertThat(fresh.isCompatible(subject, incompatible)).isFalse();
    assertThatThrownBy(() -> fresh.register(subject, incompatible))
        .isInstanceOfSatisfying(
            SchemaRegistryException.IncompatibleSchemaException.class,
            e -> assertThat(e.httpStatus()).isEqualTo(409));
    assertThatThrownBy(() -> fresh.getLatest("no-such-subject"))
        .isInstanceOfSatisfying(
            SchemaRegistryException.SubjectNotFoundException.class,
            e -> assertThat(e.httpStatus()).isEqualTo(404));
    assertThatThrownBy(() -> fresh.getById(99_999))
        .isInstanceOf(SchemaRegistryException.SchemaNotFoundException.class);
  }

  private static InferenceRequest request(String id) {
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setApp("echo")
        .setInput(JsonInput.newBuilder().setJson("{\"text\":\"hi\"}").build())
        .setCreatedAtMs(Instant.now())
        .build();
  }
}
