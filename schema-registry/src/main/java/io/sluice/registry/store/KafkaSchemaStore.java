package io.sluice.registry.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the registry's log in a compacted, single-partition Kafka topic (default {@code _schemas}),
 * created on first use.
 *
 * <p>Single writer: the registry reads the topic to its end once on start, then only appends and
 * applies its own acknowledged writes. A second registry writing to the same topic would not see
 * those writes and could hand out conflicting ids, so run exactly one instance per topic.
 */
public final class KafkaSchemaStore implements SchemaStore {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);

  private final String bootstrapServers;
  private final String topic;
  private final TopicPartition partition;
  private final KafkaProducer<byte[], byte[]> producer;

  public KafkaSchemaStore(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.partition = new TopicPartition(topic, 0);
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG,
                "sluice-schema-registry-" + topic,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                10_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                15_000),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  public String topic() {
    return topic;
  }

  @Override
  public void load(Consumer<StoreRecord> sink, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ensureTopic(timeout);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "sluice-schema-registry-loader-" + topic,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
      long count = 0;
      while (consumer.position(partition, remaining(deadline)) < end) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.key() == null) {
            throw new SchemaStoreException(
                "Record without key at offset " + record.offset() + " of " + topic, null);
          }
          StoreRecordCodec.decode(record.key(), record.value()).ifPresent(sink);
          count++;
        }
        if (System.nanoTime() > deadline) {
          throw new SchemaStoreException.Timeout(
              "Did not reach the end of " + topic + " (offset " + end + ") within " + timeout,
              null);
        }
      }
      LOG.info("Loaded {} records from {} up to offset {}", count, topic, end);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new SchemaStoreException.Timeout("Timed out reading " + topic, e);
    } catch (IllegalArgumentException e) {
      throw new SchemaStoreException("Corrupt record in " + topic + ": " + e.getMessage(), e);
    }
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private void ensureTopic(Duration timeout) {
    long ms = timeout.toMillis();
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) ms))) {
      Optional<TopicDescription> existing = describe(admin, ms);
      if (existing.isEmpty()) {
        NewTopic newTopic =
            new NewTopic(topic, Optional.of(1), Optional.empty())
                .configs(
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
          admin.createTopics(List.of(newTopic)).all().get(ms, TimeUnit.MILLISECONDS);
          LOG.info("Created schema topic {} (1 partition, compacted)", topic);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
        return;
      }
      int partitions = existing.get().partitions().size();
      if (partitions != 1) {
        throw new SchemaStoreException(
            "Schema topic " + topic + " has " + partitions + " partitions; it must have exactly 1",
            null);
      }
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      String policy =
          admin
              .describeConfigs(Set.of(resource))
              .all()
              .get(ms, TimeUnit.MILLISECONDS)
              .get(resource)
              .get(TopicConfig.CLEANUP_POLICY_CONFIG)
              .value();
      if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
        LOG.warn(
            "Schema topic {} has cleanup.policy={}; schemas may be lost when segments expire",
            topic,
            policy);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaStoreException("Interrupted while preparing " + topic, e);
    } catch (TimeoutException e) {
      throw new SchemaStoreException.Timeout("Timed out preparing " + topic, e);
    } catch (ExecutionException e) {
      throw new SchemaStoreException("Could not prepare " + topic, e.getCause());
    }
  }

  private Optional<TopicDescription> describe(Admin admin, long ms)
      throws InterruptedException, TimeoutException, ExecutionException {
    try {
      return Optional.of(
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(ms, TimeUnit.MILLISECONDS)
              .get(topic));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void append(StoreRecord record, Duration timeout) {
    ProducerRecord<byte[], byte[]> producerRecord =
        new ProducerRecord<>(
            topic, 0, StoreRecordCodec.encodeKey(record), StoreRecordCodec.encodeValue(record));
    try {
      producer.send(producerRecord).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaStoreException("Interrupted while writing to " + topic, e);
    } catch (TimeoutException e) {
      throw new SchemaStoreException.Timeout("No ack from " + topic + " within " + timeout, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new SchemaStoreException.Timeout("Timed out writing to " + topic, e.getCause());
      }
      throw new SchemaStoreException("Write to " + topic + " failed", e.getCause());
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new SchemaStoreException("Write to " + topic + " failed", e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
