package io.sluice.functions.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.functions.ItemResult;
import io.sluice.functions.worker.Backoff;
import io.sluice.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop's handling of failed writes, on mock clients (the broker's answers are scripted). */
@Timeout(60)
class WorkerLoopTest {
  private final ProcessorFixture fx = new ProcessorFixture();
  private final TopicPartition tp = new TopicPartition(Topics.batches(fx.deployment), 0);
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private WorkerLoop loop;
  private Thread thread;

  private void start() {
    BatchProcessor processor =
        fx.processor(
            batch -> batch.map(r -> ItemResult.json("1")),
            new Backoff(2, Duration.ofMillis(1), Duration.ofMillis(2)),
            ReplyTargets.anything(),
            1 << 20);
    loop =
        new WorkerLoop(
            "test",
            tp.topic(),
            consumer,
            producer,
            false,
            processor,
            pool,
            2,
            new WorkerMetrics(new SimpleMeterRegistry(), fx.deployment, "w1"),
            () -> {});
    ConsumerRecord<byte[], byte[]> batch = fx.record(List.of(fx.request("r1", "x")));
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(tp));
          consumer.updateBeginningOffsets(Map.of(tp, 0L));
          consumer.addRecord(batch); // offset 7
        });
    thread = new Thread(loop, "loop-test");
    thread.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (loop != null) {
      loop.halt();
      thread.join(10_000);
    }
    pool.shutdownNow();
  }

  private void awaitSends(int n) {
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> producer.history().size() >= n);
  }

  private long committed() {
    Map<TopicPartition, OffsetAndMetadata> c = consumer.committed(Set.of(tp));
    return c.get(tp) == null ? -1 : c.get(tp).offset();
  }

  @Test
  void aTransientSendFailureIsRetriedInPlaceAndTheLoopLivesOn() {
    start();
    awaitSends(1);
    assertThat(producer.errorNext(new TimeoutException("broker away"))).isTrue();

    awaitSends(2); // the same reply again, after a backoff
    assertThat(producer.history().get(1).key()).isEqualTo("r1");
    assertThat(producer.completeNext()).isTrue();

    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> committed() == 8);
    assertThat(loop.failure()).isNull();
    assertThat(loop.running()).isTrue();
  }

  @Test
  void aReplyTheBrokerRefusesForGoodIsDeadLetteredAndCommitted() {
    start();
    awaitSends(1);
    assertThat(producer.errorNext(new RecordTooLargeException("over the topic's limit"))).isTrue();

    awaitSends(2);
    assertThat(producer.history().get(1).topic()).isEqualTo(Topics.dlq(fx.deployment));
    assertThat(producer.completeNext()).isTrue();

    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> committed() == 8);
    assertThat(loop.failure()).isNull();
    assertThat(loop.running()).isTrue();
  }

  @Test
  void aProducerThatCanNoLongerWriteStopsTheLoopAndReadinessGoesDown() throws Exception {
    start();
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(loop::running);
    awaitSends(1);
    assertThat(producer.errorNext(new ProducerFencedException("another instance"))).isTrue();

    thread.join(TimeUnit.SECONDS.toMillis(20));
    assertThat(thread.isAlive()).isFalse();
    assertThat(loop.failure()).isNotNull();
    assertThat(loop.running()).isFalse();
    assertThat(loop.failure()).hasRootCauseInstanceOf(ProducerFencedException.class);
  }
}
