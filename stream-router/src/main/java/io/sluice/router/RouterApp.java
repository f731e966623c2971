package io.sluice.router;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.ops.ManagementServer;
import io.sluice.common.ops.Metrics;
import io.sluice.router.meta.AdminTopicPartitions;
import io.sluice.router.topology.RecordFailures;
import io.sluice.router.topology.RouterExceptionHandlers;
import io.sluice.router.topology.RouterTopology;
import io.sluice.router.topology.TopologySettings;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router as a running part: Kafka Streams plus the management endpoints. Used by {@code
 * RouterCommand} and by the dev stack in-process.
 *
 * <pre>{@code
 * RouterConfig c = RouterConfig.of(Map.of(RouterConfig.BOOTSTRAP_SERVERS, "localhost:9092"));
 * try (RouterApp router = RouterApp.start(c)) { ... }
 * }</pre>
 */
public final class RouterApp implements AutoCloseable {
  /**
   * The router's producer {@code linger.ms}. A routed request crosses two router-produced hops (the
   * repartition topic, then the batch topic), each lingering up to this at interactive rates: at 5
   * ms the whole HTTP path's one-caller p50 was 29-31 ms, at 1 ms 19-21 ms (WholePathBenchmark,
   * interleaved runs, 2026-12-01); at 0, 8.25-8.75 ms against 9.18-10.78 at 1 (2026-12-03). Under
   * load the producer still batches at 0: records that arrive while its requests are in flight go
   * together. Measured at 0: pipelines no slower; router throughput at-least-once unchanged within
   * the noise, exactly-once about a tenth lower (stream-router README, "Latency").
   */
  public static final int DEFAULT_PRODUCER_LINGER_MS = 0;

  private static final Logger log = LoggerFactory.getLogger(RouterApp.class);

  private final KafkaStreams streams;
  private final ManagementServer management;
  private final PrometheusMeterRegistry registry;
  private final AdminTopicPartitions topics;
  private final RouterHealth health;
  private final RecordFailures failures;

  private RouterApp(
      KafkaStreams streams,
      ManagementServer management,
      PrometheusMeterRegistry registry,
      AdminTopicPartitions topics,
      RouterHealth health,
      RecordFailures failures) {
    this.streams = streams;
    this.management = management;
    this.registry = registry;
    this.topics = topics;
    this.health = health;
    this.failures = failures;
  }

  /** The dead-letter writer of the exception handlers: a plain producer of its own. */
  private static RecordFailures recordFailures(
      RouterConfig c, AdminTopicPartitions topics, RouterHealth health, RouterMetrics metrics) {
    TopologySettings settings = c.topology();
    Properties p = adminProperties(c);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    p.putAll(c.producerSettings());
    SerdeConfig serde = settings.serde();
    return new RecordFailures(
        c.maxRecordAttempts(),
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()),
        AvroSerde.of(DeadLetter.class, serde, false).serializer(),
        AvroSerde.of(InferenceResponse.class, serde, false).serializer(),
        AvroSerde.of(InferenceRequest.class, serde, false).deserializer(),
        topics,
        settings.maxMessageBytes(),
        health,
        metrics);
  }

  /** Starts the router and its management endpoints. */
  public static RouterApp start(RouterConfig config) {
    return start(config, Metrics.newRegistry("router"), true);
  }

  /**
   * Starts the router.
   *
   * @param withManagement whether to serve /healthz, /readyz, /metrics (the dev stack may serve its
   *     own)
   */
  public static RouterApp start(
      RouterConfig config, PrometheusMeterRegistry registry, boolean withManagement) {
    try {
      ensureTopics(config);
    } catch (RuntimeException e) {
      // A rejected login or TLS handshake is told by the keys to fix.
      throw ConnectionKeys.explain(e);
    }
    // Reply destinations are checked against live metadata: cached 30 s, a look-up waits <= 5 s.
    AdminTopicPartitions topics =
        new AdminTopicPartitions(
            Admin.create(adminProperties(config)),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            System::currentTimeMillis);
    RouterMetrics metrics = new RouterMetrics(registry);
    AtomicReference<KafkaStreams> ref = new AtomicReference<>();
    RouterHealth health =
        new RouterHealth(
            () -> ref.get() == null ? KafkaStreams.State.CREATED : ref.get().state(),
            System::currentTimeMillis);
    RecordFailures failures = recordFailures(config, topics, health, metrics);
    Properties props = streamsProperties(config);
    props.put(RecordFailures.CONFIG_KEY, failures);
    KafkaStreams streams =
        new KafkaStreams(RouterTopology.build(config.topology(), metrics, topics), props);
    ref.set(streams);
    // A failure here is transient, or a record on one of its bounded tries (the exception
    // handlers dead-letter it after the last): retry on a fresh thread, and say so in /readyz.
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("stream thread failed; replacing it", e);
          health.threadFailed(e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.setStateListener((now, before) -> log.info("router state {} -> {}", before, now));
    ManagementServer management = null;
    try {
      if (withManagement) {
        management =
            ManagementServer.start(
                config.managementHost(),
                config.managementPort(),
                registry,
                health::liveness,
                health::readiness);
      }
      streams.start();
    } catch (IOException e) {
      streams.close(Duration.ZERO);
      failures.close();
      topics.close();
      throw new UncheckedIOException("cannot start the management endpoints", e);
    }
    return new RouterApp(streams, management, registry, topics, health, failures);
  }

  static Properties streamsProperties(RouterConfig c) {
    Properties p = new Properties();
    // Bootstrap servers and security, given to every client Kafka Streams creates.
    p.putAll(c.clientSettings());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, c.applicationId());
    p.put(StreamsConfig.STATE_DIR_CONFIG, c.stateDir());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, c.processingGuarantee());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, c.numThreads());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, c.commitIntervalMs());
    // A quiet topic must still flush on time: never block in poll() longer than one check.
    p.put(StreamsConfig.POLL_MS_CONFIG, c.topology().punctuateInterval().toMillis());
    // New request topics are found by the pattern; look for them every 10 s, not every 5 min.
    p.put(StreamsConfig.consumerPrefix("metadata.max.age.ms"), 10_000);
    // The shared group settings (session timeout, heartbeats) on the consumer that is a group
    // member, and the one record-size limit on the producer.
    c.groupSettings().forEach((k, v) -> p.put(StreamsConfig.mainConsumerPrefix(k), v));
    c.producerSettings().forEach((k, v) -> p.put(StreamsConfig.producerPrefix(k), v));
    String instanceId = c.instanceId();
    if (!instanceId.isEmpty()) {
      // Kafka Streams suffixes it with the thread index for each stream thread's consumer.
      p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
    }
    // Kafka Streams defaults its producer to linger.ms=100: every batch and error reply would sit
    // up to 100 ms before it is sent, at interactive rates almost always. Overridable through
    // sluice.router.streams.producer.linger.ms.
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), DEFAULT_PRODUCER_LINGER_MS);
    // No record fails a thread for ever: bounded tries, then a dead letter (RecordFailures).
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        RouterExceptionHandlers.Processing.class);
    p.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        RouterExceptionHandlers.Production.class);
    p.putAll(c.streamsOverrides());
    return p;
  }

  private static Properties adminProperties(RouterConfig c) {
    Properties p = new Properties();
    p.putAll(c.clientSettings());
    return p;
  }

  /**
   * The router reads sluice.routes as a global store and writes its DLQ: both must exist. Its own
   * repartition topic and buffer changelog, where they exist, must have sluice.router.partitions
   * partitions: said here, with the key to change, rather than by a failing stream thread.
   */
  private static void ensureTopics(RouterConfig c) {
    try (Admin admin = Admin.create(adminProperties(c))) {
      checkInternalPartitions(admin, c);
      createIfMissing(
          admin,
          new NewTopic(Topics.ROUTES, Optional.of(1), Optional.empty())
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
      createIfMissing(admin, new NewTopic(Topics.DLQ_ROUTER, Optional.empty(), Optional.empty()));
    }
  }

  private static void checkInternalPartitions(Admin admin, RouterConfig c) {
    String appId = c.applicationId();
    int wanted = c.topology().partitions();
    for (String topic :
        List.of(
            appId + RouterTopology.REPARTITION_SUFFIX, appId + RouterTopology.CHANGELOG_SUFFIX)) {
      try {
        int actual =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(topic)
                .partitions()
                .size();
        if (actual != wanted) {
          throw new ConfigException(
              RouterConfig.PARTITIONS,
              wanted,
              "the router's topic "
                  + topic
                  + " has "
                  + actual
                  + " partitions: set "
                  + RouterConfig.PARTITIONS
                  + "="
                  + actual
                  + ", or use a new "
                  + RouterConfig.APPLICATION_ID
                  + " once this one has drained");
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("cannot describe topic " + topic, e.getCause());
        }
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("timed out describing topic " + topic, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted describing topic " + topic, e);
      }
    }
  }

  /** Creates a topic unless it exists. */
  public static void createIfMissing(Admin admin, NewTopic topic) {
    try {
      admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      log.info("created topic {}", topic.name());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + topic.name(), e.getCause());
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out creating topic " + topic.name(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating topic " + topic.name(), e);
    }
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Readiness and liveness, as served on /readyz and /healthz. */
  public RouterHealth health() {
    return health;
  }

  /** Called with the exception whenever a stream thread fails (and is replaced). */
  public void onThreadFailure(java.util.function.Consumer<Throwable> listener) {
    health.onThreadFailure(listener);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The management port, or -1 without management endpoints. */
  public int managementPort() {
    return management == null ? -1 : management.port();
  }

  /** Graceful: stops the endpoints, then lets Streams commit and close (up to 30 s). */
  @Override
  public void close() {
    if (management != null) {
      management.close();
    }
    streams.close(Duration.ofSeconds(30));
    failures.close();
    topics.close();
  }
}
