package io.sluice.router.meta;

import io.sluice.router.topology.TopicPartitions;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Partition counts from the Admin client, cached: a count for {@code ttl}, a missing topic for a
 * fifth of it (so a topic created for replies is usable soon). One look-up waits at most {@code
 * timeout}, never the producer's 60 s metadata wait. Thread-safe (all stream threads share it).
 */
public final class AdminTopicPartitions implements TopicPartitions, AutoCloseable {
  private record Entry(int partitions, long expiresAtMs) {}

  private final Admin admin;
  private final Duration ttl;
  private final Duration timeout;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

  public AdminTopicPartitions(Admin admin, Duration ttl, Duration timeout, LongSupplier clock) {
    this.admin = admin;
    this.ttl = ttl;
    this.timeout = timeout;
    this.clock = clock;
  }

  @Override
  public OptionalInt partitions(String topic) {
    long now = clock.getAsLong();
    Entry e = cache.get(topic);
    if (e == null || e.expiresAtMs <= now) {
      e = lookUp(topic, now);
      if (cache.size() > 10_000) {
        cache.clear(); // clients choose the names: never grow without bound
      }
      cache.put(topic, e);
    }
    return e.partitions < 0 ? OptionalInt.empty() : OptionalInt.of(e.partitions);
  }

  private Entry lookUp(String topic, long now) {
    try {
      TopicDescription d =
          admin
              .describeTopics(
                  List.of(topic), new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis()))
              .allTopicNames()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic);
      return new Entry(d.partitions().size(), now + ttl.toMillis());
    } catch (ExecutionException ex) {
      if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
        return new Entry(-1, now + Math.max(1, ttl.toMillis() / 5));
      }
      throw new MetadataUnavailableException("cannot describe topic " + topic, ex.getCause());
    } catch (TimeoutException ex) {
      throw new MetadataUnavailableException("timed out describing topic " + topic, ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new MetadataUnavailableException("interrupted describing topic " + topic, ex);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
