package io.sluice.functions.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.ops.Health;
import io.sluice.common.ops.ManagementServer;
import io.sluice.common.ops.Metrics;
import io.sluice.functions.FunctionContext;
import io.sluice.functions.FunctionHealth;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.internal.runtime.BatchProcessor;
import io.sluice.functions.internal.runtime.Concurrency;
import io.sluice.functions.internal.runtime.ReplyTargets;
import io.sluice.functions.internal.runtime.WorkerLoop;
import io.sluice.functions.internal.runtime.WorkerMetrics;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One function worker: consumes {@code sluice.batches.<deployment>} in group {@code
 * sluice.fn.<deployment>}, runs the function, writes replies and dead letters. Holds no static
 * state, so several replicas of one deployment can run in one JVM (the dev stack does).
 *
 * <pre>{@code
 * WorkerApp worker = WorkerApp.start(WorkerConfig.of(Map.of(
 *     "sluice.worker.deployment", "chat", "sluice.worker.function", "llm",
 *     "sluice.management.port", "-1")));
 * ...
 * worker.close(); // drains in-flight batches within sluice.worker.drain-seconds
 * }</pre>
 */
public final class WorkerApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerApp.class);

  private final WorkerConfig config;
  private final String instance;
  private final SluiceFunction function;
  private final WorkerLoop loop;
  private final Thread thread;
  private final ManagementServer management;
  private final FunctionRegistry functions;
  private final WorkerMetrics meters;
  private volatile boolean closed;

  private WorkerApp(
      WorkerConfig config,
      String instance,
      SluiceFunction function,
      WorkerLoop loop,
      Thread thread,
      ManagementServer management,
      FunctionRegistry functions,
      WorkerMetrics meters) {
    this.meters = meters;
    this.config = config;
    this.instance = instance;
    this.function = function;
    this.loop = loop;
    this.thread = thread;
    this.management = management;
    this.functions = functions;
  }

  /**
   * Starts a worker running the function named by {@code sluice.worker.function}, found among
   * Sluice's own and those of {@code sluice.worker.function-path} ({@link FunctionRegistry#load(
   * List)}), with its own Prometheus registry and, unless {@code sluice.management.port} is -1, its
   * management endpoints. The user functions' class loader is closed when the worker stops.
   *
   * @throws FunctionLoadException if the function path does not load (it names the path)
   */
  public static WorkerApp start(WorkerConfig config) throws Exception {
    FunctionRegistry functions = FunctionRegistry.load(config.functionPath());
    try {
      SluiceFunction function = functions.create(config.function());
      if (!config.functionPath().isEmpty()) {
        log.info("function '{}' is {}", config.function(), functions.origin(config.function()));
      }
      PrometheusMeterRegistry registry = Metrics.newRegistry("worker");
      return start(
          config, function, registry, config.managementPort() == -1 ? null : registry, functions);
    } catch (Exception | Error e) {
      functions.close();
      throw e;
    }
  }

  /** Starts a worker running a given function instance, without management endpoints. */
  public static WorkerApp start(WorkerConfig config, SluiceFunction function, MeterRegistry metrics)
      throws Exception {
    return start(config, function, metrics, null, null);
  }

  private static WorkerApp start(
      WorkerConfig config,
      SluiceFunction function,
      MeterRegistry metrics,
      PrometheusMeterRegistry serveOn,
      FunctionRegistry owned)
      throws Exception {
    String instance =
        config.instanceId().isEmpty()
            ? config.deployment() + "-" + UUID.randomUUID().toString().substring(0, 8)
            : config.instanceId();
    Concurrency concurrency = config.concurrency();
    function.open(
        new FunctionContext(
            config.deployment(),
            config.backendUrl(),
            config.backendApiKey(),
            config.model(),
            concurrency.threads(),
            withTimeout(config),
            metrics));
    WorkerMetrics meters = new WorkerMetrics(metrics, config.deployment(), instance);
    SerdeConfig serde = SerdeConfig.from(config.registrySettings());
    Admin admin = Admin.create(adminProps(config, instance));
    try {
      checkLogin(admin);
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
    BatchProcessor processor =
        new BatchProcessor(
            config.deployment(),
            function,
            config.retry(),
            new BatchProcessor.Codecs(
                AvroSerde.of(InferenceBatch.class, serde, false).deserializer(),
                AvroSerde.of(InferenceResponse.class, serde, false).serializer(),
                AvroSerde.of(DeadLetter.class, serde, false).serializer(),
                AvroSerde.of(InferenceRequest.class, serde, false).serializer()),
            meters,
            new ReplyTargets.FromAdmin(admin, METADATA_WAIT),
            config.maxMessageBytes());
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerProps(config, instance),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    KafkaProducer<String, byte[]> producer;
    try {
      producer =
          new KafkaProducer<>(
              producerProps(config, instance), new StringSerializer(), new ByteArraySerializer());
    } catch (RuntimeException e) {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ZERO));
      admin.close(Duration.ZERO);
      throw e;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(concurrency.threads(), threads(instance + "-fn"));
    WorkerLoop loop =
        new WorkerLoop(
            instance,
            Topics.batches(config.deployment()),
            consumer,
            producer,
            config.exactlyOnce(),
            processor,
            pool,
            concurrency,
            meters,
            () -> admin.close(Duration.ZERO));
    long startedAt = System.currentTimeMillis();
    Thread thread = new Thread(loop, "sluice-worker-" + instance);
    thread.start();
    ManagementServer management = null;
    WorkerApp app = new WorkerApp(config, instance, function, loop, thread, null, owned, meters);
    if (serveOn != null) {
      try {
        management =
            ManagementServer.start(
                "0.0.0.0", config.managementPort(), serveOn, app::liveness, app::readiness);
      } catch (IOException e) {
        app.halt();
        throw e;
      }
      app = new WorkerApp(config, instance, function, loop, thread, management, owned, meters);
    }
    meters.lifecycle(app::ready, startedAt);
    log.info("worker {} started: {}", instance, config);
    return app;
  }

  private static Map<String, String> withTimeout(WorkerConfig config) {
    Map<String, String> params = new LinkedHashMap<>(config.functionParameters());
    params.putIfAbsent("backend-timeout-ms", Long.toString(config.backendTimeout().toMillis()));
    return params;
  }

  /** The longest a reply destination's metadata lookup may hold an item (not max.block.ms). */
  private static final Duration METADATA_WAIT = Duration.ofSeconds(5);

  /**
   * Fails start-up when Kafka rejects the worker's credentials or TLS trust, naming the keys to
   * fix; a broker that is not reachable yet is waited for by the consumer as before.
   */
  private static void checkLogin(Admin admin) throws InterruptedException {
    try {
      admin.describeCluster().clusterId().get(METADATA_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      RuntimeException wrapped = new IllegalStateException(e.getCause());
      RuntimeException explained = ConnectionKeys.explain(wrapped);
      if (explained != wrapped) {
        throw explained;
      }
      log.warn("Kafka not reachable yet, the worker waits for it: {}", e.getCause().toString());
    } catch (TimeoutException e) {
      log.warn("Kafka did not answer within {}; the worker waits for it", METADATA_WAIT);
    }
  }

  private static Properties adminProps(WorkerConfig c, String instance) {
    Properties p = new Properties();
    p.putAll(c.clientSettings());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, instance + "-metadata");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) METADATA_WAIT.toMillis());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) METADATA_WAIT.toMillis());
    // Security comes from the shared client settings; admin-valid consumer overrides still apply.
    c.consumerOverrides()
        .forEach(
            (k, v) -> {
              if (AdminClientConfig.configNames().contains(k)) {
                p.put(k, v);
              }
            });
    return p;
  }

  static Properties consumerProps(WorkerConfig c, String instance) {
    Properties p = new Properties();
    p.putAll(c.clientSettings());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, Topics.workerGroup(c.deployment()));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, instance);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // The batch topic comes from `sluice apply` with the partitions the manifest declares; a
    // worker that starts first (a pod before the chart's apply Job) must wait for it, not have
    // the broker create it with its default partition count.
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    // A poll returns at most what can run at once; the rest stays in Kafka as lag.
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, c.concurrency().limit());
    if (!c.instanceId().isEmpty()) {
      p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, c.instanceId());
    }
    // The shared session timeout (a killed replica's partitions move within seconds); explicit
    // sluice.kafka.consumer.* overrides still win.
    p.putAll(c.groupSettings());
    p.putAll(c.consumerOverrides());
    return p;
  }

  static Properties producerProps(WorkerConfig c, String instance) {
    Properties p = new Properties();
    p.putAll(c.clientSettings());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, instance + "-replies");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // No linger: a batch's replies are sent in one burst, so they share produce requests anyway
    // while one is in flight; lingering only held the first reply back. WholePathBenchmark,
    // 2026-12-02 (two interleaved pairs of quick runs): finished -> HTTP response p50 4-5 ms at
    // 2 ms linger, 1-3 ms at 0; whole path one-caller p50 15.8 / 15.5 -> 13.1 / 14.6 ms; 32
    // callers within noise (0.51 / 0.47 -> 0.47 / 0.47 of the bridge alone).
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    if (c.exactlyOnce()) {
      // Fencing comes from the consumer group metadata (KIP-447), so the id only needs to be
      // stable per instance; a random suffix for dynamic members is fine.
      p.put(
          ProducerConfig.TRANSACTIONAL_ID_CONFIG,
          Topics.workerGroup(c.deployment()) + "-" + instance);
    }
    // The one record-size limit (max.request.size); sluice.kafka.producer.* overrides still win.
    p.putAll(c.producerSettings());
    p.putAll(c.producerOverrides());
    return p;
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * This replica's id: {@code sluice.worker.instance-id}, or the deployment plus a random suffix.
   */
  public String instance() {
    return instance;
  }

  /** The configuration this worker was started with. */
  public WorkerConfig config() {
    return config;
  }

  /**
   * Subscribed and joined its group (so it has reached the broker), not stopping, not failed, and
   * the function reports up.
   */
  public boolean ready() {
    return readiness().up();
  }

  /** Whether the loop thread has ended (closed, halted or failed). */
  public boolean terminated() {
    return !thread.isAlive();
  }

  /** The error that stopped the worker, or null. */
  public Throwable failure() {
    return loop.failure();
  }

  /** Waits until the loop thread ends. */
  public void awaitTermination() throws InterruptedException {
    thread.join();
  }

  private Health liveness() {
    Throwable f = loop.failure();
    return f == null
        ? Health.up(Map.of("instance", instance))
        : Health.down(Map.of("instance", instance, "error", f.toString()));
  }

  private Health readiness() {
    FunctionHealth fh;
    try {
      fh = function.health();
    } catch (RuntimeException e) {
      fh = FunctionHealth.down(e.toString());
    }
    boolean up = loop.running() && loop.joined() && fh.up();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("instance", instance);
    details.put("deployment", config.deployment());
    details.put("consuming", loop.running());
    // False until the consumer joined group sluice.fn.<deployment>: the broker was reached.
    details.put(
        "broker",
        loop.joined() ? "joined " + Topics.workerGroup(config.deployment()) : "not reached yet");
    details.put("function", fh.detail());
    String stuck = loop.stuck();
    if (stuck != null) {
      details.put("stuck", stuck);
    }
    Throwable failed = loop.failure();
    if (failed != null) {
      details.put("error", failed.toString());
    }
    return up ? Health.up(details) : Health.down(details);
  }

  /**
   * Graceful stop: no new batches, in-flight ones finish within {@code
   * sluice.worker.drain-seconds}, offsets are committed, the group is left, then the function is
   * closed.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    loop.drain(config.drain());
    try {
      thread.join(config.drain().plusSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    finish();
  }

  /**
   * Stops at once without draining or committing, as SIGKILL would: in-flight batches are abandoned
   * and redelivered to the next owner of their partitions. For tests and emergencies.
   */
  public void halt() {
    if (closed) {
      return;
    }
    closed = true;
    loop.halt();
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    finish();
  }

  private void finish() {
    // Before anything else: a replica that stopped must not leave gauges (NaN once collected).
    meters.close();
    try {
      function.close();
    } catch (RuntimeException e) {
      log.warn("worker {}: closing the function failed: {}", instance, e.toString());
    }
    if (management != null) {
      management.close();
    }
    if (functions != null) {
      // After function.close(): until then the function may still load classes from its jar.
      try {
        functions.close();
      } catch (RuntimeException e) {
        log.warn("worker {}: closing the function path failed: {}", instance, e.toString());
      }
    }
  }
}
