package io.sluice.bridge.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer on its own thread: the bridge's only threads that wait, one per topic it
 * reads, however many HTTP requests are open. Keys are request ids or app names (strings); values
 * stay bytes until a subclass knows it needs them.
 */
abstract class ConsumerLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);

  protected final Consumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;
  private volatile long lastContactNanos = System.nanoTime();
  private long lastProbeNanos = System.nanoTime();

  /** How often the loop asks the brokers for its partitions' end offsets. */
  static final long PROBE_INTERVAL_MS = 2_000;

  static final long PROBE_TIMEOUT_MS = 5_000;

  /** Without an answer from Kafka for this long the loop cannot do its job (readiness DOWN). */
  static final long CONTACT_STALE_MS = 2 * PROBE_INTERVAL_MS + PROBE_TIMEOUT_MS;

  /** A consumer without a group ({@code group} null) or in {@code group}. */
  ConsumerLoop(String name, String bootstrap, ConsumerGroup group, Map<String, String> overrides) {
    this(name, kafkaConsumer(name, bootstrap, group, overrides));
  }

  /** Around a given consumer ({@link #kafkaConsumer}, or a {@code MockConsumer} in tests). */
  ConsumerLoop(String name, Consumer<String, byte[]> consumer) {
    this.consumer = consumer;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  /** The bridge's consumer settings, without a group ({@code group} null) or in {@code group}. */
  static Consumer<String, byte[]> kafkaConsumer(
      String name, String bootstrap, ConsumerGroup group, Map<String, String> overrides) {
    Properties p = new Properties();
    p.putAll(overrides);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // Replies are latency-critical: hand over every record the moment it arrives.
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    if (group != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, group.id());
      p.put(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
      // The shared session timeout: a killed replica's partitions move within seconds.
      p.putAll(group.settings());
      String instance = group.instanceIdOf(name);
      if (!instance.isEmpty()) {
        // Static membership: a restarted replica takes its partitions back without a rebalance.
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance);
      }
    }
    return new KafkaConsumer<>(p);
  }

  public void start() {
    thread.start();
  }

  /** Assigns or subscribes; called on the consumer thread before the first poll. */
  protected abstract void onStart();

  protected abstract void handle(ConsumerRecords<String, byte[]> records);

  /** After every poll, on the consumer thread (readiness checks). */
  protected void afterPoll() {}

  /**
   * After each successful probe, on the consumer thread, with the end offsets of the assigned
   * partitions (for lag checks).
   */
  protected void afterProbe(Map<TopicPartition, Long> endOffsets) {}

  /**
   * Whether the brokers answered this consumer recently: a poll of a consumer whose brokers are
   * gone just returns nothing, so the loop asks for end offsets every {@link #PROBE_INTERVAL_MS}.
   */
  boolean inContact() {
    return System.nanoTime() - lastContactNanos < TimeUnit.MILLISECONDS.toNanos(CONTACT_STALE_MS);
  }

  private void probe() {
    long now = System.nanoTime();
    if (now - lastProbeNanos < TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MS)) {
      return;
    }
    lastProbeNanos = now;
    Set<TopicPartition> assigned = consumer.assignment();
    if (assigned.isEmpty()) {
      return; // nothing to ask about; owning nothing is a readiness check of its own
    }
    try {
      Map<TopicPartition, Long> ends =
          consumer.endOffsets(assigned, Duration.ofMillis(PROBE_TIMEOUT_MS));
      lastContactNanos = System.nanoTime();
      afterProbe(ends);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      log.warn("{}: no answer from Kafka within {} ms", thread.getName(), PROBE_TIMEOUT_MS);
    }
  }

  /** The error that stopped the loop, if any. */
  Throwable failure() {
    return failure;
  }

  boolean isRunning() {
    return running && failure == null && thread.isAlive();
  }

  /** Running and in contact with Kafka. */
  boolean healthy() {
    return isRunning() && inContact();
  }

  private void run() {
    try {
      onStart();
      lastContactNanos = System.nanoTime();
      while (running) {
        handle(consumer.poll(Duration.ofMillis(200)));
        afterPoll();
        probe();
      }
    } catch (WakeupException e) {
      if (running) {
        failure = e;
      }
    } catch (RuntimeException | Error e) {
      failure = e;
      log.error("{} stopped: {}", thread.getName(), e.toString(), e);
    } finally {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
