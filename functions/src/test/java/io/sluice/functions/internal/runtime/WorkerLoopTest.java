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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The loop's handling of failed writes, on mock clients (the broker's answers are scripted). */
@Timeout(60)
class WorkerLoopTest {
  private final ProcessorFixture fx = new ProcessorFixture();
  private final TopicPartition tp = new TopicPartition(Topics.batches(fx.deployment), 0);
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private WorkerLoop loop;
  private Thread thread;

  private void start() {
    loop = newLoop(consumer, producer, batch -> batch.map(r -> ItemResult.json("1")), 2);
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

  /** A mock consumer that counts the polls made while every assigned partition is paused. */
  /** Every position committed, sync or async (MockConsumer's own view can move back on revoke). */
  private static final class CommitRecordingConsumer extends MockConsumer<byte[], byte[]> {
    final List<Long> commits = new java.util.concurrent.CopyOnWriteArrayList<>();

    CommitRecordingConsumer() {
      super("earliest");
    }

    @Override
    public synchronized void commitAsync(
        Map<TopicPartition, OffsetAndMetadata> offsets,
        org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
      offsets.values().forEach(o -> commits.add(o.offset()));
      super.commitAsync(offsets, callback);
    }

    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      offsets.values().forEach(o -> commits.add(o.offset()));
      super.commitSync(offsets);
    }
  }

  private static final class PauseWatchingConsumer extends MockConsumer<byte[], byte[]> {
    final java.util.concurrent.atomic.AtomicInteger pausedPolls =
        new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger pausedPollsThatWait =
        new java.util.concurrent.atomic.AtomicInteger();

    PauseWatchingConsumer() {
      super("earliest");
    }

    /** Polls that waited while the loop held fetched batches it had not started. */
    final java.util.concurrent.atomic.AtomicInteger pollsThatWaitWithWorkHeld =
        new java.util.concurrent.atomic.AtomicInteger();

    volatile WorkerLoop loop;

    @Override
    public synchronized org.apache.kafka.clients.consumer.ConsumerRecords<byte[], byte[]> poll(
        Duration timeout) {
      if (loop != null && loop.waitingToStart() > 0 && !timeout.isZero()) {
        pollsThatWaitWithWorkHeld.incrementAndGet();
      }
      if (!assignment().isEmpty() && paused().containsAll(assignment())) {
        pausedPolls.incrementAndGet();
        if (!timeout.isZero()) {
          pausedPollsThatWait.incrementAndGet();
        }
      }
      return super.poll(timeout);
    }
  }

  @Test
  void whilePausedTheLoopWaitsForAFreeSlotNotForThePollTimeout() {
    // A paused consumer's poll cannot return a record, so blocking in it for the poll interval
    // left a finished batch's slot idle that long (a worker managed maxConcurrent batches per
    // interval). The loop must poll without waiting while paused and wait for a slot instead.
    PauseWatchingConsumer watching = new PauseWatchingConsumer();
    MockProducer<String, byte[]> acking =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    loop = newLoop(watching, acking, batch -> batch.map(r -> ItemResult.json("1")), 2);
    ConsumerRecord<byte[], byte[]> template = fx.record(List.of(fx.request("r1", "x")));
    int n = 40;
    watching.schedulePollTask(
        () -> {
          watching.rebalance(List.of(tp));
          watching.updateBeginningOffsets(Map.of(tp, 0L));
          for (int i = 0; i < n; i++) {
            watching.addRecord(
                new ConsumerRecord<>(
                    tp.topic(), 0, i, template.key(), template.value())); // offsets 0..n-1
          }
        });
    thread = new Thread(loop, "loop-test");
    thread.start();

    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              Map<TopicPartition, OffsetAndMetadata> c = watching.committed(Set.of(tp));
              return c.get(tp) != null && c.get(tp).offset() == n;
            });
    assertThat(acking.history()).hasSize(n);
    assertThat(watching.pausedPolls.get())
        .as("the loop paused while its slots were full")
        .isPositive();
    assertThat(watching.pausedPollsThatWait.get()).as("polls that waited while paused").isZero();
  }

  private ConsumerRecord<byte[], byte[]> batchAt(long offset, String id, boolean bulk) {
    return batchAt(offset, id, bulk, 1, false);
  }

  /** A batch of {@code size} requests (ids {@code id}, {@code id.1}, ...), with its size header. */
  private ConsumerRecord<byte[], byte[]> batchAt(
      long offset, String id, boolean bulk, int size, boolean sizeHeader) {
    List<io.sluice.avro.InferenceRequest> requests = new java.util.ArrayList<>();
    for (int i = 0; i < size; i++) {
      requests.add(fx.request(i == 0 ? id : id + "." + i, bulk ? "bulk" : "live"));
    }
    ConsumerRecord<byte[], byte[]> r = fx.record(requests);
    org.apache.kafka.common.header.internals.RecordHeaders headers =
        new org.apache.kafka.common.header.internals.RecordHeaders();
    if (bulk) {
      io.sluice.schemas.SluiceHeaders.put(
          headers, io.sluice.schemas.SluiceHeaders.PRIORITY, "BULK");
    }
    if (sizeHeader) {
      io.sluice.schemas.SluiceHeaders.put(
          headers, io.sluice.schemas.SluiceHeaders.BATCH_SIZE, Integer.toString(size));
    }
    return new ConsumerRecord<>(
        tp.topic(),
        0,
        offset,
        System.currentTimeMillis(),
        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
        r.key().length,
        r.value().length,
        r.key(),
        r.value(),
        headers,
        java.util.Optional.empty());
  }

  @ParameterizedTest
  @ValueSource(ints = {6, 300})
  void anInteractiveBatchBehindBulkOnesStartsFirstAndBulkLeavesItASlot(int bulkAhead)
      throws Exception {
    // BULK batches (a batch job) ahead of one interactive batch in the same partition, two slots,
    // and BULK work that does not finish until released: the interactive batch must be found
    // behind them and answered meanwhile, and BULK must never take the last slot. 300: a job's
    // 256-line window trickling in as batches of one (read ahead four per slot, it waited).
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Inside bulkRunning = new Inside();
    MockProducer<String, byte[]> acking =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    consumer.setMaxPollRecords(2); // as WorkerApp sets max.poll.records: one poll per slot count
    loop =
        newLoop(
            consumer,
            acking,
            batch -> {
              boolean bulk = batch.requests().get(0).getInput().toString().contains("bulk");
              if (bulk) {
                bulkRunning.enter();
                try {
                  release.await(20, TimeUnit.SECONDS);
                } finally {
                  bulkRunning.exit();
                }
              }
              return batch.map(r -> ItemResult.json("1"));
            },
            1);
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(tp));
          consumer.updateBeginningOffsets(Map.of(tp, 0L));
          for (int i = 0; i < bulkAhead; i++) {
            consumer.addRecord(batchAt(i, "bulk-" + i, true));
          }
          consumer.addRecord(batchAt(bulkAhead, "live", false));
        });
    thread = new Thread(loop, "loop-test");
    thread.start();

    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> acking.history().stream().anyMatch(rec -> "live".equals(rec.key())));
    assertThat(acking.history()).hasSize(1); // every BULK batch is still held up
    assertThat(bulkRunning.max.get()).as("BULK batches running at once, of 2 slots").isEqualTo(1);
    assertThat(committed()).as("nothing committed past the unfinished BULK batches").isEqualTo(-1);

    release.countDown();
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> committed() == bulkAhead + 1);
    assertThat(acking.history()).hasSize(bulkAhead + 1);
  }

  @Test
  void aRevokeCommitsNoFurtherThanTheFirstBulkBatchThatNeverStarted() throws Exception {
    // BULK batches 0..5, then interactive 6, two slots: 6 finishes while BULK 0 runs and 1..5 wait
    // for a slot. The partition is then revoked: 1..5 are handed back unstarted, so the commit
    // must stop at 1 (committing 7, past them, would lose them for the next owner).
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    MockProducer<String, byte[]> acking =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    CommitRecordingConsumer recording = new CommitRecordingConsumer();
    loop =
        newLoop(
            recording,
            acking,
            batch -> {
              if (batch.requests().get(0).getInput().toString().contains("bulk")) {
                release.await(20, TimeUnit.SECONDS);
              }
              return batch.map(r -> ItemResult.json("1"));
            },
            1);
    recording.schedulePollTask(
        () -> {
          recording.rebalance(List.of(tp));
          recording.updateBeginningOffsets(Map.of(tp, 0L));
          for (int i = 0; i < 6; i++) {
            recording.addRecord(batchAt(i, "bulk-" + i, true));
          }
          recording.addRecord(batchAt(6, "live", false));
        });
    thread = new Thread(loop, "loop-test");
    thread.start();
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> acking.history().stream().anyMatch(rec -> "live".equals(rec.key())));

    // Runs on the poll thread, inside poll(): no BULK batch can start between the two lines.
    recording.schedulePollTask(
        () -> {
          release.countDown(); // BULK 0 may finish now; the revoke waits for it
          recording.rebalance(List.of());
        });
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !recording.commits.isEmpty());
    assertThat(recording.commits)
        .as("positions committed for the revoked partition")
        .containsOnly(1L);
    assertThat(acking.history())
        .extracting(org.apache.kafka.clients.producer.ProducerRecord::key)
        .containsExactlyInAnyOrder("live", "bulk-0");
  }

  @Test
  void bulkBatchesWaitingForTheirSlotDoNotWaitForAPollTimeout() {
    // BULK batches read ahead (partitions resumed) wait for their share of the slots: a poll
    // blocking until new records arrive would hold each next start back by the poll interval.
    PauseWatchingConsumer watching = new PauseWatchingConsumer();
    MockProducer<String, byte[]> acking =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    loop = newLoop(watching, acking, batch -> batch.map(r -> ItemResult.json("1")), 1);
    watching.loop = loop;
    int n = 30;
    watching.schedulePollTask(
        () -> {
          watching.rebalance(List.of(tp));
          watching.updateBeginningOffsets(Map.of(tp, 0L));
          for (int i = 0; i < n; i++) {
            watching.addRecord(batchAt(i, "bulk-" + i, true));
          }
        });
    thread = new Thread(loop, "loop-test");
    thread.start();

    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> committed(watching) == n);
    assertThat(acking.history()).hasSize(n);
    assertThat(watching.pollsThatWaitWithWorkHeld.get())
        .as("polls that waited while fetched batches were held")
        .isZero();
  }

  @Test
  void countedInRequestsOneRequestInteractiveBatchesTakeOneRequestsRoomNotAWholeBatchsShare()
      throws Exception {
    // 8 requests at once, batches of up to 4: BULK may take 8 - 4 = 4 requests. Four BULK batches
    // of 2 arrive, then five interactive batches of 1, none finishing until released. Counted in
    // requests, two BULK batches (4 requests) run, then four interactive ones (4) beside them, and
    // the fifth interactive one waits for room; counted in batches, 8 slots would have let 7 BULK
    // batches in and left one slot for the five interactive ones.
    java.util.concurrent.CountDownLatch releaseLive = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch releaseBulk = new java.util.concurrent.CountDownLatch(1);
    Inside bulkRunning = new Inside();
    java.util.concurrent.atomic.AtomicInteger liveStarted =
        new java.util.concurrent.atomic.AtomicInteger();
    MockProducer<String, byte[]> acking =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    loop =
        newLoop(
            consumer,
            acking,
            batch -> {
              if (batch.requests().get(0).getInput().toString().contains("bulk")) {
                bulkRunning.enter();
                try {
                  releaseBulk.await(20, TimeUnit.SECONDS);
                } finally {
                  bulkRunning.exit();
                }
              } else {
                liveStarted.incrementAndGet();
                releaseLive.await(20, TimeUnit.SECONDS);
              }
              return batch.map(r -> ItemResult.json("1"));
            },
            1,
            Concurrency.requests(8, 4));
    List<ConsumerRecord<byte[], byte[]>> bulk = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      bulk.add(batchAt(i, "bulk-" + i, true, 2, true));
    }
    assignWith(bulk);
    thread = new Thread(loop, "loop-test");
    thread.start();
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> bulkRunning.now.get() == 2);
    consumer.schedulePollTask(
        () -> {
          for (int i = 0; i < 5; i++) {
            consumer.addRecord(batchAt(4 + i, "live-" + i, false, 1, true));
          }
        });

    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> liveStarted.get() == 4 && bulkRunning.now.get() == 2);
    TimeUnit.MILLISECONDS.sleep(300); // room for a wrong start to happen
    assertThat(liveStarted.get()).as("interactive batches started, room for 4").isEqualTo(4);
    assertThat(bulkRunning.max.get()).as("BULK batches of 2 at once, room for 4").isEqualTo(2);

    releaseLive.countDown();
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> acking.history().stream().filter(r -> r.key().startsWith("live")).count() == 5);
    assertThat(bulkRunning.max.get()).as("BULK never took the interactive room").isEqualTo(2);
    releaseBulk.countDown();
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> committed() == 9);
    assertThat(acking.history()).hasSize(4 * 2 + 5);
  }

  @Test
  void countedInRequestsABatchWithoutASizeHeaderCountsAsAFullOne() throws Exception {
    // 4 requests at once, batches of up to 2: BULK may take 2. BULK batches of one request without
    // the size header (not written by this router) count as 2 each: one at a time.
    Inside running = new Inside();
    MockProducer<String, byte[]> acking =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    loop =
        newLoop(
            consumer,
            acking,
            batch -> {
              running.enter();
              try {
                TimeUnit.MILLISECONDS.sleep(30);
              } finally {
                running.exit();
              }
              return batch.map(r -> ItemResult.json("1"));
            },
            1,
            Concurrency.requests(4, 2));
    List<ConsumerRecord<byte[], byte[]>> headerless = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      headerless.add(batchAt(i, "bulk-" + i, true, 1, false));
    }
    assignWith(headerless);
    thread = new Thread(loop, "loop-test");
    thread.start();
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> committed() == 6);
    assertThat(running.max.get()).as("header-less BULK batches at once").isEqualTo(1);
  }

  /** How many calls are inside at once, and the most there ever were. */
  private static final class Inside {
    final java.util.concurrent.atomic.AtomicInteger now =
        new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger max =
        new java.util.concurrent.atomic.AtomicInteger();

    void enter() {
      max.accumulateAndGet(now.incrementAndGet(), Math::max);
    }

    void exit() {
      now.decrementAndGet();
    }
  }

  /** On the loop's first poll: assigns {@link #tp} from offset 0 and adds {@code records}. */
  private void assignWith(List<ConsumerRecord<byte[], byte[]>> records) {
    consumer.schedulePollTask(
        () -> {
          consumer.rebalance(List.of(tp));
          consumer.updateBeginningOffsets(Map.of(tp, 0L));
          records.forEach(consumer::addRecord);
        });
  }

  private long committed(MockConsumer<byte[], byte[]> c) {
    Map<TopicPartition, OffsetAndMetadata> m = c.committed(Set.of(tp));
    return m.get(tp) == null ? -1 : m.get(tp).offset();
  }

  /** A loop with two slots over {@code consumer} and {@code producer}, running {@code fn}. */
  private WorkerLoop newLoop(
      MockConsumer<byte[], byte[]> consumer,
      MockProducer<String, byte[]> producer,
      io.sluice.functions.SluiceFunction fn,
      int attempts) {
    return newLoop(consumer, producer, fn, attempts, Concurrency.batches(2));
  }

  private WorkerLoop newLoop(
      MockConsumer<byte[], byte[]> consumer,
      MockProducer<String, byte[]> producer,
      io.sluice.functions.SluiceFunction fn,
      int attempts,
      Concurrency concurrency) {
    BatchProcessor processor =
        fx.processor(
            fn,
            new Backoff(attempts, Duration.ofMillis(1), Duration.ofMillis(2)),
            ReplyTargets.anything(),
            1 << 20);
    return new WorkerLoop(
        "test",
        tp.topic(),
        consumer,
        producer,
        false,
        processor,
        pool,
        concurrency,
        new WorkerMetrics(new SimpleMeterRegistry(), fx.deployment, "w1"),
        () -> {});
  }
}
