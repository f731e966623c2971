package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compacted batch topic ({@code sluice.batch.files} or {@code sluice.batch.jobs}) read in full by
 * every replica. A key without {@code /} holds a JSON record (file metadata, a batch); a key {@code
 * <id>/<n>} is a content chunk, of which only its place (partition, offset) is kept, never its
 * bytes. A tombstone removes the key.
 */
final class BatchTable extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(BatchTable.class);

  /** Where a record is, and its JSON (null for a chunk). */
  record Entry(int partition, long offset, ObjectNode json) {}

  private final String topic;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong version = new AtomicLong();
  private volatile Map<TopicPartition, Long> catchUpTo;
  private volatile boolean caughtUp;

  BatchTable(String name, String bootstrap, String topic, Map<String, String> overrides) {
    super(name, bootstrap, null, overrides);
    this.topic = topic;
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
    consumer.seekToBeginning(all);
    catchUpTo = consumer.endOffsets(all, Duration.ofSeconds(10));
  }

  @Override
  protected void handle(ConsumerRecords<String, byte[]> records) {
    for (ConsumerRecord<String, byte[]> rec : records) {
      String key = rec.key();
      if (key == null) {
        continue;
      }
      if (rec.value() == null) {
        entries.remove(key);
      } else if (key.indexOf('/') >= 0) {
        entries.put(key, new Entry(rec.partition(), rec.offset(), null));
      } else {
        try {
          JsonNode j = JsonBody.JSON.readTree(rec.value());
          if (j instanceof ObjectNode o) {
            entries.put(key, new Entry(rec.partition(), rec.offset(), o));
          }
        } catch (IOException e) {
          log.warn("ignoring undecodable record {} of {}: {}", key, topic, e.toString());
        }
      }
      version.incrementAndGet();
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

  /** The JSON record under {@code key}, or null. */
  ObjectNode get(String key) {
    Entry e = entries.get(key);
    return e == null ? null : e.json();
  }

  /** The place of a record (a chunk's offset), or null. */
  Entry entry(String key) {
    return entries.get(key);
  }

  /** Every JSON record (not chunks), in no order. */
  List<ObjectNode> records() {
    return entries.values().stream().map(Entry::json).filter(j -> j != null).toList();
  }

  /** Grows with every record read: a cheap way to notice a change. */
  long version() {
    return version.get();
  }

  boolean ready() {
    return healthy() && caughtUp;
  }
}
