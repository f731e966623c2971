package io.sluice.manifest.apply;

import io.sluice.avro.RouteConfig;
import io.sluice.schemas.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads the route in force for every app: {@code sluice.routes} from its start to its end. */
final class RouteTopic {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RouteTopic.class);

  private RouteTopic() {}

  /** The last config per app; a tombstone removes the app. Empty if the topic does not exist. */
  static Map<String, RouteConfig> readAll(
      Map<String, Object> kafka, Deserializer<RouteConfig> deserializer, Duration timeout) {
    Map<String, Object> p = new LinkedHashMap<>(kafka);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Asking for a missing sluice.routes must not make the broker create it (with its default
    // partitions and no compaction): apply creates it as declared.
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    Map<String, byte[]> last = new LinkedHashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      var infos = consumer.partitionsFor(Topics.ROUTES, timeout);
      if (infos == null || infos.isEmpty()) {
        return Map.of();
      }
      List<TopicPartition> parts =
          infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (parts.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read " + Topics.ROUTES + " to its end within " + timeout);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() == null) {
            continue;
          }
          if (r.value() == null) {
            last.remove(r.key());
          } else {
            last.put(r.key(), r.value());
          }
        }
      }
    }
    Map<String, RouteConfig> routes = new LinkedHashMap<>();
    last.forEach(
        (app, bytes) -> {
          try {
            routes.put(app, deserializer.deserialize(Topics.ROUTES, bytes));
          } catch (RuntimeException e) {
            // Unreadable (corrupt, or a schema this build cannot read): counts as no route, so
            // apply writes the declared one over it instead of failing on it for ever.
            log.warn(
                "route of app '{}' in {} cannot be read ({}): treated as absent",
                app,
                Topics.ROUTES,
                e.toString());
          }
        });
    return routes;
  }
}
