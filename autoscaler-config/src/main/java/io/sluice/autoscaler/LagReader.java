package io.sluice.autoscaler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Reads a {@link LagSnapshot} the way KEDA's Kafka scaler does: the topic's partitions, the group's
 * committed offsets ({@code listConsumerGroupOffsets}) and the partitions' latest offsets ({@code
 * listOffsets} with {@link OffsetSpec#latest()}, i.e. the high watermark).
 *
 * <pre>{@code
 * try (LagReader reader = LagReader.create(Map.of("bootstrap.servers", "localhost:9092"))) {
 *   LagSnapshot s = reader.read("sluice.fn.chat", "sluice.batches.chat", Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class LagReader implements AutoCloseable {

  private final Admin admin;
  private final boolean ownsAdmin;

  /** Uses an Admin client owned by the caller; {@link #close()} leaves it open. */
  public LagReader(Admin admin) {
    this(admin, false);
  }

  private LagReader(Admin admin, boolean ownsAdmin) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.ownsAdmin = ownsAdmin;
  }

  /** Creates its own Admin client from these properties and closes it on {@link #close()}. */
  public static LagReader create(Map<String, Object> adminProperties) {
    return new LagReader(Admin.create(adminProperties), true);
  }

  /**
   * One poll of the lag of {@code group} on {@code topic}.
   *
   * @throws LagReadException when the topic does not exist or Kafka does not answer in time
   */
  public LagSnapshot read(String group, String topic, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      TopicDescription description =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(remaining(deadline), TimeUnit.NANOSECONDS)
              .get(topic);
      List<TopicPartition> partitions = new ArrayList<>();
      for (TopicPartitionInfo info : description.partitions()) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      var endFuture = admin.listOffsets(latest).all();
      var committedFuture = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata();
      Map<TopicPartition, ListOffsetsResultInfo> ends =
          endFuture.get(remaining(deadline), TimeUnit.NANOSECONDS);
      Map<TopicPartition, OffsetAndMetadata> committed =
          committedFuture.get(remaining(deadline), TimeUnit.NANOSECONDS);
      return snapshot(group, topic, partitions, committed, ends);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LagReadException("interrupted reading lag of " + group + " on " + topic, e);
    } catch (ExecutionException e) {
      throw new LagReadException(
          "cannot read lag of " + group + " on " + topic + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new LagReadException(
          "timed out after " + timeout + " reading lag of " + group + " on " + topic, e);
    }
  }

  /**
   * Assembles the snapshot from Admin results. A partition missing from {@code committed}, or
   * mapped to {@code null}, has no committed offset. A partition missing from {@code ends} is
   * reported with its committed offset as log end (lag 0), as KEDA treats partitions absent from
   * the offsets response.
   */
  static LagSnapshot snapshot(
      String group,
      String topic,
      List<TopicPartition> partitions,
      Map<TopicPartition, OffsetAndMetadata> committed,
      Map<TopicPartition, ListOffsetsResultInfo> ends) {
    List<PartitionOffsets> result = new ArrayList<>(partitions.size());
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata c = committed.get(tp);
      OptionalLong committedOffset = c == null ? OptionalLong.empty() : OptionalLong.of(c.offset());
      ListOffsetsResultInfo end = ends.get(tp);
      long logEnd = end != null ? end.offset() : committedOffset.orElse(0);
      result.add(new PartitionOffsets(tp.partition(), committedOffset, logEnd));
    }
    return new LagSnapshot(group, topic, result);
  }

  private static long remaining(long deadline) throws TimeoutException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new TimeoutException();
    }
    return left;
  }

  @Override
  public void close() {
    if (ownsAdmin) {
      admin.close(Duration.ofSeconds(5));
    }
  }

  /** Reading the lag failed; the caller should keep the current replicas and retry next poll. */
  public static final class LagReadException extends RuntimeException {
    LagReadException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
