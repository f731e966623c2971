package io.sluice.loadtest.entry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schemas.Topics;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@SluiceKafka
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsumerGroupGaugesIT {

  @Test
  void replicasAreGroupMembersAndLagIsWhatTheyHaveNotCommitted(KafkaCluster kafka)
      throws Exception {
    String deployment = kafka.uniqueId("lt-dep");
    String topic = kafka.createTopic(Topics.batches(deployment), 1);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerProperties())) {
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get(30, TimeUnit.SECONDS);
      }
    }
    try (KafkaConsumer<String, String> worker =
            new KafkaConsumer<>(kafka.consumerProperties(Topics.workerGroup(deployment)));
        ConsumerGroupGauges gauges =
            new ConsumerGroupGauges(kafka.bootstrapServers(), List.of(deployment))) {
      worker.subscribe(List.of(topic));
      Awaitility.await("the worker joins its group")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  !worker.poll(Duration.ofMillis(100)).isEmpty() || !worker.assignment().isEmpty());
      worker.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(2)));

      Awaitility.await("gauges see one replica and a lag of 3")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () ->
                  assertThat(gauges.sample())
                      .containsEntry("replicas." + deployment, 1.0)
                      .containsEntry("lag." + deployment, 3.0));
      assertThat(gauges.lastError()).isNull();
    }
  }
}
