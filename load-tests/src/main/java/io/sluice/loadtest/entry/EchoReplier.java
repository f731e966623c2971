package io.sluice.loadtest.entry;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.schemas.Replies;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A fake stand-in for the router and workers, NOT Sluice: reads an app's request topic and answers
 * every request OK on its reply topic, keyed by request id, doing no work. The variant is "a" or
 * "b" by the record key's hash, so callers with a key always get the same one, as sticky routing
 * promises. Used by the integration test and by {@code load --embedded-echo}, which measures the
 * harness and a bare Kafka round trip, never Sluice itself.
 */
public final class EchoReplier implements AutoCloseable {
  private final KafkaConsumer<String, InferenceRequest> consumer;
  private final KafkaProducer<String, InferenceResponse> producer;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong answered = new AtomicLong();
  private final Thread thread;

  public EchoReplier(String bootstrapServers, String registryUrl, String app, String groupId) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    consumer =
        new KafkaConsumer<>(
            c,
            new StringDeserializer(),
            AvroSerde.of(InferenceRequest.class, SerdeConfig.of(registryUrl), false)
                .deserializer());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            AvroSerde.of(InferenceResponse.class, SerdeConfig.of(registryUrl), false).serializer());
    consumer.subscribe(List.of(Topics.requests(app)));
    thread = new Thread(this::loop, "echo-replier");
    thread.setDaemon(true);
    thread.start();
  }

  public long answered() {
    return answered.get();
  }

  private void loop() {
    try {
      while (running.get()) {
        for (ConsumerRecord<String, InferenceRequest> rec : consumer.poll(Duration.ofMillis(100))) {
          InferenceRequest req = rec.value();
          String variant = Math.floorMod(rec.key().hashCode(), 2) == 0 ? "a" : "b";
          InferenceResponse resp =
              InferenceResponse.newBuilder()
                  .setRequestId(req.getRequestId())
                  .setApp(req.getApp())
                  .setVariant(variant)
                  .setDeployment("echo-" + variant)
                  .setStatus(ResponseStatus.OK)
                  .setOutput(JsonOutput.newBuilder().setJson("{\"echo\":true}").build())
                  .setTimings(Replies.timings(req, System.currentTimeMillis()))
                  .build();
          producer.send(new ProducerRecord<>(Replies.topicFor(req), req.getRequestId(), resp));
          answered.incrementAndGet();
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
