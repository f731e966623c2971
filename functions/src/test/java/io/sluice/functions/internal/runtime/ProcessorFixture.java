package io.sluice.functions.internal.runtime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.worker.Backoff;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A {@link BatchProcessor} on an in-memory registry, without Kafka, and its record decoders. */
final class ProcessorFixture {
  final String deployment = "dep-" + UUID.randomUUID().toString().substring(0, 8);
  final String app = "app1";
  private final SerdeConfig serde = SerdeConfig.of("mock://" + UUID.randomUUID());
  private final AvroSerde<InferenceBatch> batches =
      AvroSerde.of(InferenceBatch.class, serde, false);
  private final AvroSerde<InferenceResponse> responses =
      AvroSerde.of(InferenceResponse.class, serde, false);
  private final AvroSerde<DeadLetter> deadLetters = AvroSerde.of(DeadLetter.class, serde, false);

  BatchProcessor processor(
      SluiceFunction fn, Backoff retry, ReplyTargets targets, int maxRecordBytes) {
    return new BatchProcessor(
        deployment,
        fn,
        retry,
        new BatchProcessor.Codecs(
            batches.deserializer(),
            responses.serializer(),
            deadLetters.serializer(),
            AvroSerde.of(InferenceRequest.class, serde, false).serializer()),
        new WorkerMetrics(new SimpleMeterRegistry(), deployment, "w1"),
        targets,
        maxRecordBytes);
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

  ConsumerRecord<byte[], byte[]> record(List<InferenceRequest> requests) {
    String topic = Topics.batches(deployment);
    InferenceBatch b =
        InferenceBatch.newBuilder()
            .setBatchId("b1")
            .setDeployment(deployment)
            .setRequests(requests)
            .setFlushedAtMs(Instant.now())
            .build();
    return new ConsumerRecord<>(
        topic,
        0,
        7L,
        "b1".getBytes(StandardCharsets.UTF_8),
        batches.serializer().serialize(topic, b));
  }

  List<InferenceResponse> replies(List<BatchProcessor.Out> out) {
    return out.stream()
        .filter(o -> o.request() != null)
        .map(o -> responses.deserializer().deserialize(o.record().topic(), o.record().value()))
        .toList();
  }

  List<DeadLetter> deadLetters(List<BatchProcessor.Out> out) {
    return out.stream()
        .filter(o -> o.request() == null)
        .map(o -> deadLetters.deserializer().deserialize(o.record().topic(), o.record().value()))
        .toList();
  }
}
