package io.sluice.functions.internal.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Says whether a reply can be written where its request asks, before it is sent. A request's {@code
 * replyTo} and {@code replyPartition} come from a client: a negative partition makes the producer
 * throw, a partition beyond the topic's count or a missing topic makes it wait {@code max.block.ms}
 * (60 s) for metadata that never comes. Here the topic's partition count comes from a cached
 * metadata lookup with a bounded wait.
 */
public interface ReplyTargets {

  /** The verdict on one destination. */
  enum Verdict {
    /** The topic exists and the partition (if any) is in range. */
    OK,
    /** The topic does not exist (or its name is not a legal topic name). */
    NO_SUCH_TOPIC,
    /** The partition is negative or not below the topic's partition count. */
    NO_SUCH_PARTITION,
    /** The lookup did not answer in time: let the send try (it is bounded by the producer). */
    UNKNOWN
  }

  /** Checks {@code topic} and {@code partition} (null: the producer picks one). */
  Verdict check(String topic, Integer partition);

  /** Forgets what is known of {@code topic} (a send to it failed). */
  default void invalidate(String topic) {}

  /** Every destination is fine: for tests that have no broker. */
  static ReplyTargets anything() {
    return (topic, partition) ->
        partition != null && partition < 0 ? Verdict.NO_SUCH_PARTITION : Verdict.OK;
  }

  /** Partition counts from an {@link Admin} client, cached. */
  final class FromAdmin implements ReplyTargets {
    /** How long a known topic's count is trusted (counts only grow; a miss re-checks sooner). */
    private static final long KNOWN_TTL_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** How long "no such topic" or a too-high partition is believed before asking again. */
    private static final long MISS_TTL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private record Entry(int partitions, long atNanos) {} // partitions -1: no such topic

    private final Admin admin;
    private final Duration wait;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public FromAdmin(Admin admin, Duration wait) {
      this.admin = admin;
      this.wait = wait;
    }

    @Override
    public Verdict check(String topic, Integer partition) {
      if (partition != null && partition < 0) {
        return Verdict.NO_SUCH_PARTITION;
      }
      long now = System.nanoTime();
      Entry e = cache.get(topic);
      if (e == null || stale(e, partition, now)) {
        e = lookup(topic, now);
        if (e == null) {
          return Verdict.UNKNOWN;
        }
        cache.put(topic, e);
      }
      if (e.partitions() < 0) {
        return Verdict.NO_SUCH_TOPIC;
      }
      return partition == null || partition < e.partitions()
          ? Verdict.OK
          : Verdict.NO_SUCH_PARTITION;
    }

    private static boolean stale(Entry e, Integer partition, long now) {
      long age = now - e.atNanos();
      boolean miss = e.partitions() < 0 || (partition != null && partition >= e.partitions());
      return age > (miss ? MISS_TTL_NANOS : KNOWN_TTL_NANOS);
    }

    private Entry lookup(String topic, long now) {
      try {
        TopicDescription d =
            admin
                .describeTopics(List.of(topic))
                .topicNameValues()
                .get(topic)
                .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        return new Entry(d.partitions().size(), now);
      } catch (ExecutionException ex) {
        if (ex.getCause() instanceof UnknownTopicOrPartitionException
            || ex.getCause() instanceof InvalidTopicException) {
          return new Entry(-1, now);
        }
        return null;
      } catch (TimeoutException ex) {
        return null;
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return null;
      } catch (RuntimeException ex) {
        // An illegal topic name may be refused before any request is made.
        return ex instanceof InvalidTopicException ? new Entry(-1, now) : null;
      }
    }

    @Override
    public void invalidate(String topic) {
      cache.remove(topic);
    }
  }
}
