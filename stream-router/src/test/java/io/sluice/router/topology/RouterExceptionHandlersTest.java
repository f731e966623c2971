package io.sluice.router.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.router.RouterHealth;
import io.sluice.router.RouterMetrics;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import io.sluice.schemas.registry.SchemaRegistryException;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler.ProcessingHandlerResponse;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Item 3: no record may fail a stream thread for ever. Before, the router had no processing or
 * production exception handler (Streams' default FAIL) and replaced the thread on every failure, so
 * the same record failed again and again. Now a record fails at most max-record-attempts times and
 * is then dead-lettered (and answered); transient failures retry and show in readiness.
 */
class RouterExceptionHandlersTest {
  private final String url = "mock://handlers-" + UUID.randomUUID();
  private final SerdeConfig serde = SerdeConfig.of(url);
  private final AtomicLong now = new AtomicLong(1_000_000);
  private MockProducer<byte[], byte[]> producer;
  private RouterHealth health;
  private RecordFailures failures;
  private RouterExceptionHandlers.Processing processing;
  private RouterExceptionHandlers.Production production;

  @BeforeEach
  void setUp() {
    producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    health = new RouterHealth(() -> KafkaStreams.State.RUNNING, now::get);
    failures =
        new RecordFailures(
            3,
            producer,
            AvroSerde.of(DeadLetter.class, serde, false).serializer(),
            AvroSerde.of(InferenceResponse.class, serde, false).serializer(),
            AvroSerde.of(InferenceRequest.class, serde, false).deserializer(),
            topic -> OptionalInt.of(3),
            1024 * 1024,
            health,
            new RouterMetrics(new SimpleMeterRegistry()));
    processing = new RouterExceptionHandlers.Processing();
    processing.configure(Map.of(RecordFailures.CONFIG_KEY, failures));
    production = new RouterExceptionHandlers.Production();
    production.configure(Map.of(RecordFailures.CONFIG_KEY, failures));
  }

  private static ErrorHandlerContext context(long offset, byte[] value) {
    Headers h = new RecordHeaders();
    SluiceHeaders.put(h, SluiceHeaders.REQUEST_ID, "req-" + offset);
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return Topics.requests("chat");
      }

      @Override
      public int partition() {
        return 2;
      }

      @Override
      public long offset() {
        return offset;
      }

      @Override
      public Headers headers() {
        return h;
      }

      @Override
      public String processorNodeId() {
        return RouterTopology.ROUTER;
      }

      @Override
      public TaskId taskId() {
        return new TaskId(0, 2);
      }

      @Override
      public long timestamp() {
        return 42;
      }

      @Override
      public byte[] sourceRawKey() {
        return "k".getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public byte[] sourceRawValue() {
        return value;
      }
    };
  }

  @Test
  void aRecordThatKeepsFailingIsDeadLetteredAfterItsTriesAndThePartitionMovesOn() {
    ErrorHandlerContext ctx = context(7, "whatever".getBytes(StandardCharsets.UTF_8));
    Exception bug = new IllegalStateException("a bug that this record triggers");
    assertThat(processing.handle(ctx, null, bug)).isEqualTo(ProcessingHandlerResponse.FAIL);
    assertThat(processing.handle(ctx, null, bug)).isEqualTo(ProcessingHandlerResponse.FAIL);
    assertThat(producer.history()).isEmpty();
    assertThat(processing.handle(ctx, null, bug)).isEqualTo(ProcessingHandlerResponse.CONTINUE);

    ProducerRecord<byte[], byte[]> dlq = producer.history().get(0);
    assertThat(dlq.topic()).isEqualTo(Topics.DLQ_ROUTER);
    DeadLetter dl =
        AvroSerde.of(DeadLetter.class, serde, false)
            .deserializer()
            .deserialize(Topics.DLQ_ROUTER, dlq.value());
    assertThat(dl.getErrorCode()).isEqualTo(ErrorCodes.INTERNAL);
    assertThat(dl.getAttempts()).isEqualTo(3);
    assertThat(dl.getSourceTopic()).isEqualTo(Topics.requests("chat"));
    assertThat(dl.getSourcePartition()).isEqualTo(2);
    assertThat(dl.getSourceOffset()).isEqualTo(7);
    assertThat(dl.getRequestId()).isEqualTo("req-7");
    assertThat(dl.getExceptionClass()).isEqualTo(IllegalStateException.class.getName());
    // ... and the caller hears of it on the app's reply topic.
    ProducerRecord<byte[], byte[]> reply = producer.history().get(1);
    assertThat(reply.topic()).isEqualTo(Topics.responses("chat"));
    assertThat(SluiceHeaders.get(reply.headers(), SluiceHeaders.ERROR_CODE))
        .isEqualTo(ErrorCodes.INTERNAL);
  }

  @Test
  void aTransientFailureIsRetriedForAsLongAsItLastsAndMakesTheRouterUnready() {
    ErrorHandlerContext ctx = context(8, null);
    Exception down = SchemaRegistryException.of(503, 50003, "registry unavailable");
    assertThat(down).matches(e -> ((SchemaRegistryException) e).isRetriable());
    for (int i = 0; i < 10; i++) {
      assertThat(processing.handle(ctx, null, down)).isEqualTo(ProcessingHandlerResponse.FAIL);
    }
    assertThat(producer.history()).isEmpty();
    assertThat(health.readiness().up()).isFalse();
    assertThat(health.readiness().details().get("reason").toString()).contains("schema registry");
    now.addAndGet(RouterHealth.WINDOW.toMillis());
    assertThat(health.readiness().up()).isTrue();
  }

  @Test
  void aRecordTheProducerRefusesAsTooLargeIsDeadLetteredAtOnceCutToFit() {
    ErrorHandlerContext ctx = context(9, null);
    byte[] huge = new byte[2 * 1024 * 1024];
    ProducerRecord<byte[], byte[]> refused =
        new ProducerRecord<>(Topics.batches("chat-a"), null, huge);
    assertThat(production.handle(ctx, refused, new RecordTooLargeException("too large")))
        .isEqualTo(ProductionExceptionHandlerResponse.CONTINUE);
    ProducerRecord<byte[], byte[]> dlq = producer.history().get(0);
    assertThat(dlq.value().length).isLessThan(1024 * 1024);
    DeadLetter dl =
        AvroSerde.of(DeadLetter.class, serde, false)
            .deserializer()
            .deserialize(Topics.DLQ_ROUTER, dlq.value());
    assertThat(dl.getErrorCode()).isEqualTo(ErrorCodes.PAYLOAD_TOO_LARGE);
    assertThat(dl.getReason()).contains("original value truncated from 2097152");
  }

  @Test
  void aRecordIsNeverSkippedWithoutItsDeadLetter() {
    producer =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    setUpWith(producer);
    ErrorHandlerContext ctx = context(10, null);
    Exception bug = new IllegalStateException("bug");
    producer.close(); // every send fails
    for (int i = 0; i < 5; i++) {
      assertThat(processing.handle(ctx, null, bug)).isEqualTo(ProcessingHandlerResponse.FAIL);
    }
  }

  private void setUpWith(MockProducer<byte[], byte[]> p) {
    failures =
        new RecordFailures(
            1,
            p,
            AvroSerde.of(DeadLetter.class, serde, false).serializer(),
            AvroSerde.of(InferenceResponse.class, serde, false).serializer(),
            AvroSerde.of(InferenceRequest.class, serde, false).deserializer(),
            topic -> OptionalInt.of(3),
            1024 * 1024,
            health,
            new RouterMetrics(new SimpleMeterRegistry()));
    processing.configure(Map.of(RecordFailures.CONFIG_KEY, failures));
  }
}
