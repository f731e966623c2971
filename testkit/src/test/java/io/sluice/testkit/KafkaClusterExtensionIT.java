package io.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@SluiceKafka
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaClusterExtensionIT {

  private final KafkaCluster kafka;

  KafkaClusterExtensionIT(KafkaCluster kafka) {
    this.kafka = kafka;
  }

  @Test
  void producesAndConsumesOnAUniqueTopic() throws Exception {
    String topic = kafka.createTopic(kafka.uniqueTopic("round-trip"), 3);

    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
      }
    }

    assertThat(consume(topic, 10)).hasSize(10).contains("v0", "v9");
  }

  @Test
  void transactionsWork() throws Exception {
    String topic = kafka.createTopic(kafka.uniqueTopic("tx"), 1);
    Properties props = kafka.producerProperties();
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, kafka.uniqueId("tx"));

    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed")).get();
      producer.commitTransaction();
    }

    assertThat(consume(topic, 1)).containsExactly("committed");
  }

  @Test
  void theClusterIsSharedAndNamesAreUnique(KafkaCluster sameKafka) throws Exception {
    assertThat(sameKafka).isSameAs(kafka);
    assertThat(kafka.uniqueTopic("a b/c")).matches("a-b-c-\\d+-[0-9a-f]{8}");
    assertThat(kafka.uniqueId("app")).isNotEqualTo(kafka.uniqueId("app"));

    String topic = kafka.uniqueTopic("idempotent");
    kafka.createTopic(topic, 2);
    kafka.createTopic(topic, 2);
    assertThat(
            kafka
                .admin()
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(topic)
                .partitions())
        .hasSize(2);
  }

  private List<String> consume(String topic, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.consumerProperties())) {
      consumer.subscribe(List.of(topic));
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollDelay(Duration.ZERO)
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                  values.add(r.value());
                }
                return values.size() >= expected;
              });
    }
    return values;
  }
}
