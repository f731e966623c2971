package io.sluice.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedKafkaBrokerIT {

  @TempDir Path dataDir;

  @Test
  void keepsTopicsAndRecordsAcrossARestartOnTheSameDirectory() throws Exception {
    String topic = "persist-" + UUID.randomUUID();
    String clusterId;
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().dataDirectory(dataDir).build().start()) {
      clusterId = broker.clusterId();
      broker.createTopics(new NewTopic(topic, 2, (short) 1));
      broker.createTopics(new NewTopic(topic, 2, (short) 1)); // idempotent
      produce(broker.bootstrapServers(), topic, List.of("a", "b", "c"), false);
      assertThat(consumeAll(broker.bootstrapServers(), topic, 3)).containsExactly("a", "b", "c");
    }

    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().dataDirectory(dataDir).build().start()) {
      assertThat(broker.clusterId()).isEqualTo(clusterId);
      assertThat(consumeAll(broker.bootstrapServers(), topic, 3)).containsExactly("a", "b", "c");
    }
    assertThat(dataDir.resolve("meta.properties")).exists();
  }

  @Test
  void transactionalProducerCommitsAndReadCommittedConsumerSeesIt() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
      String topic = "tx-" + UUID.randomUUID();
      broker.createTopics(topic);

      produce(broker.bootstrapServers(), topic, List.of("t1", "t2"), true);

      assertThat(consumeAll(broker.bootstrapServers(), topic, 2)).containsExactly("t1", "t2");
    }
  }

  @Test
  void closeStopsEveryBrokerThreadSoTheJvmCanExit() {
    Set<Thread> before = liveNonDaemonThreads();
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
    broker.createTopics("t");

    broker.close();

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInSameThread() // so Awaitility's own poller thread is not counted
        .untilAsserted(
            () ->
                assertThat(liveNonDaemonThreads())
                    .map(Thread::getName)
                    .containsExactlyInAnyOrderElementsOf(
                        before.stream().map(Thread::getName).toList()));
  }

  private static Set<Thread> liveNonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .collect(Collectors.toSet());
  }

  @Test
  void listensOnAFixedPortAndRemovesItsTemporaryDirectoryOnClose() {
    int port = FreePorts.pick("localhost"); // a fixed port, as the dev stack's 9092
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(port).build().start();
    Path dir = broker.dataDirectory();
    assertThat(broker.bootstrapServers()).isEqualTo("localhost:" + port);

    broker.close();
    broker.close();

    assertThat(dir).doesNotExist();
    assertThat(broker.isRunning()).isFalse();
    assertThatThrownBy(broker::bootstrapServers).isInstanceOf(IllegalStateException.class);
  }

  private static void produce(
      String bootstrap, String topic, List<String> values, boolean transactional) throws Exception {
    Map<String, Object> config =
        new java.util.HashMap<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
    if (transactional) {
      config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID());
    }
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      if (transactional) {
        producer.initTransactions();
        producer.beginTransaction();
      }
      for (String value : values) {
        // One key so that all records land in one partition, in order.
        producer.send(new ProducerRecord<>(topic, "k", value)).get();
      }
      if (transactional) {
        producer.commitTransaction();
      } else {
        producer.flush();
      }
    }
  }

  private static List<String> consumeAll(String bootstrap, String topic, int expected) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG,
            "g-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
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
      consumer.commitSync();
    }
    return values;
  }
}
