package io.sluice.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.Timings;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import io.sluice.schemas.pipeline.PipelineDocument;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.PollLoop;
import io.sluice.testkit.Records;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A fake function worker, NOT Sluice's: one thread reads a deployment's batch topic
 * (read_committed, group {@code sluice.fn.<deployment>}) and answers every request of every batch
 * with the JSON {@code function} makes of the request's JSON input, to the request's reply topic
 * and partition, as a real worker would. The reply's timings say when the "work" started and
 * finished.
 */
final class FakeStepWorker implements AutoCloseable {
  private final String deployment;
  private final UnaryOperator<JsonNode> function;
  private final long workMs;
  private final KafkaProducer<String, InferenceResponse> producer;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failedReplies = new AtomicLong();
  private final PollLoop<String, InferenceBatch> loop;

  /**
   * Starts serving {@code deployment}; each request takes {@code workMs} of simulated work (0:
   * none).
   */
  FakeStepWorker(
      KafkaCluster kafka,
      String registryUrl,
      String deployment,
      long workMs,
      UnaryOperator<JsonNode> function) {
    this.deployment = deployment;
    this.function = function;
    this.workMs = workMs;
    Properties p = kafka.producerProperties();
    p.put("linger.ms", 0);
    producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            AvroSerde.of(InferenceResponse.class, SerdeConfig.of(registryUrl), false).serializer());
    Properties c = kafka.consumerProperties();
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "sluice.fn." + deployment);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, InferenceBatch> consumer =
        new KafkaConsumer<>(
            c,
            new StringDeserializer(),
            AvroSerde.of(InferenceBatch.class, SerdeConfig.of(registryUrl), false).deserializer());
    consumer.subscribe(List.of(Topics.batches(deployment)));
    loop = PollLoop.start("fake-step-worker-" + deployment, consumer, this::step);
  }

  /** Step requests this worker has answered (re-sent ones counted again). */
  long requests() {
    return requests.get();
  }

  /** Replies the broker refused (a test fails on any). */
  long failedReplies() {
    return failedReplies.get();
  }

  private void step(KafkaConsumer<String, InferenceBatch> consumer) {
    for (ConsumerRecord<String, InferenceBatch> rec : consumer.poll(Duration.ofMillis(50))) {
      for (InferenceRequest r : rec.value().getRequests()) {
        answer(r);
      }
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // false positive: the callback counts failures
  private void answer(InferenceRequest r) {
    long started = System.currentTimeMillis();
    if (workMs > 0) {
      try {
        // The simulated function's own work time, not a wait for a condition.
        TimeUnit.MILLISECONDS.sleep(workMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    JsonNode out = function.apply(PipelineDocument.inputOf(r.getInput()));
    long finished = System.currentTimeMillis();
    InferenceResponse reply =
        Records.ok(r)
            .setDeployment(deployment)
            .setOutput(JsonOutput.newBuilder().setJson(PipelineDocument.write(out)).build())
            .setTimings(
                Timings.newBuilder(Replies.timings(r, finished)).setStartedAtMs(started).build())
            .build();
    Headers h = new RecordHeaders();
    SluiceHeaders.put(h, SluiceHeaders.REQUEST_ID, r.getRequestId());
    producer.send(
        new ProducerRecord<>(
            Replies.topicFor(r), Replies.partitionFor(r), r.getRequestId(), reply, h),
        (md, e) -> {
          if (e != null) {
            failedReplies.incrementAndGet();
          }
        });
    requests.incrementAndGet();
  }

  @Override
  public void close() {
    loop.close();
    producer.close(Duration.ofSeconds(5));
  }
}
