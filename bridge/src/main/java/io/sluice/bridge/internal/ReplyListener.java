package io.sluice.bridge.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.avro.InferenceResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this replica's partitions of the shared reply topic and hands each reply to the open HTTP
 * request waiting for it. Requests are stamped with one of the partitions this replica owns, the
 * same one for every request while it owns it (see {@link #pickPartition()}), so workers address
 * the reply back here.
 *
 * <p>Ownership is either static ({@code replica-index} >= 0: partitions p with p % count == index,
 * for StatefulSets) or the replica's current assignment in a consumer group (default: works with a
 * Deployment and autoscaling). Values are decoded only when the key (the request id) is awaited
 * here.
 */
public final class ReplyListener extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(ReplyListener.class);
  private static final String NAME = "sluice-bridge-replies";

  private final String topic;
  private final int replicaIndex;
  private final int replicaCount;
  private final PendingReplies pending;
  private final Deserializer<InferenceResponse> deserializer;
  // The partition requests name: kept while owned, so a rebalance that only adds partitions
  // changes nothing for calls in flight; -1 while none is owned (then the replica is not ready).
  private final AtomicInteger chosen = new AtomicInteger(-1);
  private final Counter undecodable;
  private final Counter unmatched;

  public ReplyListener(
      String bootstrap,
      String topic,
      ConsumerGroup group,
      int replicaIndex,
      int replicaCount,
      PendingReplies pending,
      Deserializer<InferenceResponse> deserializer,
      MeterRegistry metrics,
      Map<String, String> overrides) {
    this(
        kafkaConsumer(NAME, bootstrap, replicaIndex >= 0 ? null : group, overrides),
        topic,
        replicaIndex,
        replicaCount,
        pending,
        deserializer,
        metrics);
  }

  /** Around a given consumer (tests: {@code MockConsumer}). */
  ReplyListener(
      Consumer<String, byte[]> consumer,
      String topic,
      int replicaIndex,
      int replicaCount,
      PendingReplies pending,
      Deserializer<InferenceResponse> deserializer,
      MeterRegistry metrics) {
    super(NAME, consumer);
    this.topic = topic;
    this.replicaIndex = replicaIndex;
    this.replicaCount = replicaCount;
    this.pending = pending;
    this.deserializer = deserializer;
    this.undecodable = metrics.counter("sluice.bridge.replies.undecodable");
    this.unmatched = metrics.counter("sluice.bridge.replies.unmatched");
    // setOwned pauses every owned partition but the named one: 1 read while one is named, else 0.
    metrics.gauge("sluice.bridge.replies.partitions.read", chosen, c -> c.get() >= 0 ? 1 : 0);
  }

  @Override
  protected void onStart() {
    if (replicaIndex < 0) {
      consumer.subscribe(List.of(topic), new Rebalance());
      return;
    }
    List<PartitionInfo> infos = List.of();
    while (isRunning() && infos.isEmpty()) {
      infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
    }
    List<TopicPartition> mine = new ArrayList<>();
    for (PartitionInfo pi : infos) {
      if (pi.partition() % replicaCount == replicaIndex) {
        mine.add(new TopicPartition(topic, pi.partition()));
      }
    }
    if (mine.isEmpty()) {
      throw new IllegalStateException(
          "replica "
              + replicaIndex
              + " of "
              + replicaCount
              + " owns no partition of "
              + topic
              + " ("
              + infos.size()
              + " partitions): add partitions or lower replica-count");
    }
    consumer.assign(mine);
    consumer.seekToEnd(mine);
    mine.forEach(consumer::position);
    setOwned(mine);
  }

  /** Static ownership: the partitions of {@code partitions} that replica {@code index} owns. */
  public static List<Integer> ownedPartitions(int partitions, int index, int count) {
    List<Integer> out = new ArrayList<>();
    for (int p = index; p < partitions; p += count) {
      out.add(p);
    }
    return out;
  }

  /**
   * On the consumer thread, with every partition it owns now. A reply awaited here can only be on
   * the partition its requests name: {@link #choose} leaves a partition only once it is no longer
   * owned, and every partition is read from its end once assigned, so no other owned partition
   * holds a reply to a call open here. The others are paused: each fetch then names one partition,
   * not up to 32, and the broker does per-partition work for each (fetch session, delayed-fetch
   * watch keys).
   */
  private void setOwned(Collection<TopicPartition> parts) {
    TreeSet<Integer> set = new TreeSet<>();
    parts.forEach(tp -> set.add(tp.partition()));
    int now = choose(chosen.get(), set);
    List<TopicPartition> idle = new ArrayList<>();
    List<TopicPartition> reading = new ArrayList<>();
    for (TopicPartition tp : parts) {
      (tp.partition() == now ? reading : idle).add(tp);
    }
    consumer.pause(idle);
    consumer.resume(reading);
    chosen.set(now);
    log.info("bridge owns reply partitions {} of {}; its requests name {}", set, topic, now);
  }

  /** The partition to name after a rebalance: the one named before while owned, else the lowest. */
  static int choose(int was, java.util.SortedSet<Integer> owned) {
    return owned.contains(was) ? was : owned.isEmpty() ? -1 : owned.first();
  }

  /**
   * The partition of the reply topic that this replica's requests name; -1 while it owns none. One
   * partition, not a turn of each it owns: the replies to a worker's batch then go out as one
   * partition's batch in one produce request, and this replica's fetches find them in one
   * partition, rather than one record in each of up to 32 (the broker does per-partition work for
   * each). The other partitions it owns are there so that ownership can move between replicas.
   */
  public int pickPartition() {
    return chosen.get();
  }

  public boolean ready() {
    return healthy() && chosen.get() >= 0;
  }

  public String topic() {
    return topic;
  }

  @Override
  protected void handle(ConsumerRecords<String, byte[]> records) {
    for (ConsumerRecord<String, byte[]> rec : records) {
      if (!pending.isPending(rec.key())) {
        unmatched.increment();
        continue;
      }
      InferenceResponse r;
      try {
        r = deserializer.deserialize(rec.topic(), rec.headers(), rec.value());
      } catch (RuntimeException e) {
        undecodable.increment();
        log.warn(
            "undecodable reply {}-{}@{} for {}: {}",
            rec.topic(),
            rec.partition(),
            rec.offset(),
            rec.key(),
            e.toString());
        continue;
      }
      pending.dispatch(r);
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    private final TreeSet<TopicPartition> current =
        new TreeSet<>(java.util.Comparator.comparingInt(TopicPartition::partition));

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      current.removeAll(partitions);
      setOwned(current);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      onPartitionsRevoked(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // Start at the end: a reply addressed here before we owned the partition has no waiter.
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      current.addAll(partitions);
      setOwned(current);
    }
  }
}
