package io.sluice.bridge.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.avro.InferenceResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of the results topic, from the start of the retention window, into the
 * {@link ResultStore}, and hands replies to requests this replica holds open (idempotent
 * synchronous calls reply here too, so that their reply is stored for replays).
 */
public final class ResultsListener extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(ResultsListener.class);

  private final String topic;
  private final long retentionMs;
  private final ResultStore store;
  private final PendingReplies pending;
  private final Deserializer<InferenceResponse> deserializer;
  private final Counter undecodable;
  private volatile Map<TopicPartition, Long> catchUpTo;
  private volatile boolean caughtUp;
  private volatile boolean keepingUp = true;
  private Map<TopicPartition, Long> previousEnds;

  public ResultsListener(
      String bootstrap,
      String topic,
      long retentionMs,
      ResultStore store,
      PendingReplies pending,
      Deserializer<InferenceResponse> deserializer,
      MeterRegistry metrics,
      Map<String, String> overrides) {
    super("sluice-bridge-results", bootstrap, null, overrides);
    this.topic = topic;
    this.retentionMs = retentionMs;
    this.store = store;
    this.pending = pending;
    this.deserializer = deserializer;
    this.undecodable = metrics.counter("sluice.bridge.results.undecodable");
  }

  @Override
  protected void onStart() {
    List<PartitionInfo> infos = List.of();
    while (isRunning() && infos.isEmpty()) {
      infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
    }
    List<TopicPartition> all =
        infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(all);
    Map<TopicPartition, Long> since = new HashMap<>();
    long from = System.currentTimeMillis() - retentionMs;
    all.forEach(tp -> since.put(tp, from));
    Map<TopicPartition, OffsetAndTimestamp> offsets =
        consumer.offsetsForTimes(since, Duration.ofSeconds(10));
    Map<TopicPartition, Long> ends = consumer.endOffsets(all, Duration.ofSeconds(10));
    for (TopicPartition tp : all) {
      OffsetAndTimestamp o = offsets.get(tp);
      consumer.seek(tp, o == null ? ends.get(tp) : o.offset());
    }
    catchUpTo = ends;
  }

  @Override
  protected void handle(ConsumerRecords<String, byte[]> records) {
    for (ConsumerRecord<String, byte[]> rec : records) {
      if (rec.value() == null) {
        // A tombstone: the request behind a pending marker was never produced (see Submitter).
        store.forget(rec.key());
        continue;
      }
      InferenceResponse r;
      try {
        r = deserializer.deserialize(rec.topic(), rec.headers(), rec.value());
      } catch (RuntimeException e) {
        undecodable.increment();
        log.warn(
            "undecodable result {}-{}@{}: {}",
            rec.topic(),
            rec.partition(),
            rec.offset(),
            e.toString());
        continue;
      }
      store.accept(r);
      if (r.getStatus() != io.sluice.avro.ResponseStatus.UNKNOWN) {
        pending.dispatch(r);
      }
    }
  }

  @Override
  protected void afterPoll() {
    Map<TopicPartition, Long> target = catchUpTo;
    if (!caughtUp && target != null) {
      caughtUp =
          target.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
  }

  @Override
  protected void afterProbe(Map<TopicPartition, Long> ends) {
    // Caught up means: everything that was on the topic at the previous probe has been read.
    Map<TopicPartition, Long> before = previousEnds;
    if (before != null) {
      keepingUp =
          before.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
    previousEnds = ends;
  }

  /**
   * True once the results of the retention window present at start-up are loaded, while the
   * listener keeps up with the topic (it read, by each probe, what was there at the one before) and
   * Kafka answers: otherwise an async result or an idempotent replay could be missed here.
   */
  public boolean ready() {
    return healthy() && caughtUp && keepingUp;
  }
}
