package io.sluice.bridge.internal;

import io.sluice.avro.RouteConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apps that exist: the compacted {@code sluice.routes} topic read from the beginning into a map
 * (key = app; a tombstone removes the app). The bridge answers 404 for apps not here and lists them
 * on {@code GET /v1/models}.
 */
public final class RouteTable extends ConsumerLoop {
  private static final Logger log = LoggerFactory.getLogger(RouteTable.class);

  private final String topic;
  private final Deserializer<RouteConfig> deserializer;
  private final ConcurrentSkipListMap<String, RouteConfig> routes = new ConcurrentSkipListMap<>();
  private volatile Map<TopicPartition, Long> catchUpTo;
  private volatile boolean caughtUp;

  public RouteTable(
      String bootstrap,
      String topic,
      Deserializer<RouteConfig> deserializer,
      Map<String, String> overrides) {
    super("sluice-bridge-routes", bootstrap, null, overrides);
    this.topic = topic;
    this.deserializer = deserializer;
  }

  @Override
  protected void onStart() {
    List<PartitionInfo> infos = List.of();
    while (isRunning() && infos.isEmpty()) {
      infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos.isEmpty()) {
        log.info("waiting for the routes topic {}", topic);
      }
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
      if (rec.key() == null) {
        continue;
      }
      if (rec.value() == null) {
        routes.remove(rec.key());
        continue;
      }
      try {
        routes.put(rec.key(), deserializer.deserialize(rec.topic(), rec.headers(), rec.value()));
      } catch (RuntimeException e) {
        log.warn("ignoring undecodable route config for app {}: {}", rec.key(), e.toString());
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

  public boolean knows(String app) {
    return routes.containsKey(app);
  }

  public RouteConfig get(String app) {
    return routes.get(app);
  }

  /** Every known app, sorted. */
  public SortedMap<String, RouteConfig> all() {
    return new TreeMap<>(routes);
  }

  public boolean ready() {
    return healthy() && caughtUp;
  }
}
