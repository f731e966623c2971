package io.sluice.bridge;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.RouteConfig;
import io.sluice.bridge.internal.BatchService;
import io.sluice.bridge.internal.ConsumerGroup;
import io.sluice.bridge.internal.HttpApi;
import io.sluice.bridge.internal.PendingReplies;
import io.sluice.bridge.internal.ReplyListener;
import io.sluice.bridge.internal.ResultStore;
import io.sluice.bridge.internal.ResultsListener;
import io.sluice.bridge.internal.RouteTable;
import io.sluice.bridge.internal.Submitter;
import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.ops.Metrics;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP-to-Kafka bridge as an embeddable server: the {@code sluice bridge} command and the dev
 * stack both start it this way.
 *
 * <pre>{@code
 * BridgeConfig config = BridgeConfig.of(Map.of(BridgeConfig.PORT, "8080"));
 * try (BridgeServer bridge = BridgeServer.start(config)) {
 *   System.out.println("bridge on port " + bridge.port());
 * }
 * }</pre>
 *
 * <p>{@link #builder} gives the same with a shared metrics registry or Vert.x instance.
 */
public final class BridgeServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BridgeServer.class);

  private final BridgeConfig config;
  private final PrometheusMeterRegistry metrics;
  private final boolean ownVertx;
  private final Vertx vertx;
  private final List<AutoCloseable> parts = new ArrayList<>();
  private ReplyListener replies;
  private ResultsListener results;
  private RouteTable routes;
  private Submitter submitter;
  private BatchService batch;
  private HttpServer http;

  private BridgeServer(Builder b) {
    this.config = b.config;
    this.metrics = b.metrics != null ? b.metrics : Metrics.newRegistry("bridge");
    this.ownVertx = b.vertx == null;
    this.vertx =
        b.vertx != null ? b.vertx : Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  }

  /** Starts a bridge of its own (own metrics registry and Vert.x); see {@link #start()}. */
  public static BridgeServer start(BridgeConfig config) {
    return builder(config).build().start();
  }

  public static Builder builder(BridgeConfig config) {
    return new Builder(config);
  }

  /** Options of an embedded bridge. */
  public static final class Builder {
    private final BridgeConfig config;
    private PrometheusMeterRegistry metrics;
    private Vertx vertx;

    private Builder(BridgeConfig config) {
      this.config = config;
    }

    /** Shares a metrics registry (the dev stack's); default: a new one tagged component=bridge. */
    public Builder metrics(PrometheusMeterRegistry registry) {
      this.metrics = registry;
      return this;
    }

    /** Runs on a given Vert.x instance, which {@link #close()} then leaves running. */
    public Builder vertx(Vertx v) {
      this.vertx = v;
      return this;
    }

    public BridgeServer build() {
      return new BridgeServer(this);
    }
  }

  /**
   * Creates the reply and results topics if missing, starts the Kafka readers and the HTTP server.
   * Returns once the port is bound; {@link #ready()} tells when replies can be received.
   */
  public synchronized BridgeServer start() {
    try {
      ensureTopics();
      SerdeConfig serde = SerdeConfig.from(config.registrySettings());
      var responseSerde = AvroSerde.of(InferenceResponse.class, serde, false);
      PendingReplies pending = new PendingReplies();
      ResultStore store =
          new ResultStore(
              config.resultCacheSize(),
              config.resultRetentionMs(),
              config.pendingTtlMs(),
              System::currentTimeMillis);
      Map<String, String> consumerOverrides = config.kafkaOverrides();
      routes =
          own(
              new RouteTable(
                  config.bootstrapServers(),
                  Topics.ROUTES,
                  AvroSerde.of(RouteConfig.class, serde, false).deserializer(),
                  consumerOverrides));
      replies =
          own(
              new ReplyListener(
                  config.bootstrapServers(),
                  config.replyTopic(),
                  new ConsumerGroup(
                      config.replyGroup(), config.instanceId(), config.groupSettings()),
                  config.replicaIndex(),
                  config.replicaCount(),
                  pending,
                  responseSerde.deserializer(),
                  metrics,
                  consumerOverrides));
      results =
          own(
              new ResultsListener(
                  config.bootstrapServers(),
                  config.resultsTopic(),
                  config.resultRetentionMs(),
                  store,
                  pending,
                  responseSerde.deserializer(),
                  metrics,
                  consumerOverrides));
      submitter =
          own(
              new Submitter(
                  config.bootstrapServers(),
                  config.kafkaTimeoutMs(),
                  AvroSerde.of(InferenceRequest.class, serde, false).serializer(),
                  responseSerde.serializer(),
                  config.kafkaOverrides(),
                  config.producerSettings(),
                  config.inlineSend()));
      batch =
          own(new BatchService(config, submitter, routes, responseSerde.deserializer(), metrics));
      routes.start();
      replies.start();
      results.start();
      batch.start();
      HttpApi api =
          new HttpApi(
              vertx,
              config,
              routes,
              replies,
              store,
              pending,
              submitter,
              metrics,
              this::readiness,
              batch);
      http =
          vertx
              .createHttpServer(
                  new HttpServerOptions()
                      .setHost(config.host())
                      .setPort(config.port())
                      .setCompressionSupported(false))
              .requestHandler(api.router())
              .listen()
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      log.info("bridge listening on http://{}:{}/ ({})", config.host(), http.actualPort(), config);
      return this;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting the bridge", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      close();
      RuntimeException explained = ConnectionKeys.explain(new IllegalStateException(e));
      if (explained instanceof ConfigException) {
        // A rejected login or TLS handshake: the keys to fix, not the port.
        throw explained;
      }
      throw new IllegalStateException(
          "the bridge could not start on "
              + config.host()
              + ":"
              + config.port()
              + " ("
              + BridgeConfig.PORT
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private <T extends AutoCloseable> T own(T part) {
    parts.add(part);
    return part;
  }

  private void ensureTopics() throws InterruptedException, ExecutionException, TimeoutException {
    Properties p = new Properties();
    p.putAll(config.kafkaOverrides());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    try (Admin admin = Admin.create(p)) {
      NewTopic replyTopic =
          new NewTopic(config.replyTopic(), config.replyPartitions(), (short) -1)
              .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000"));
      NewTopic resultsTopic =
          new NewTopic(config.resultsTopic(), 8, (short) -1)
              .configs(
                  Map.of(
                      TopicConfig.CLEANUP_POLICY_CONFIG,
                      "compact,delete",
                      TopicConfig.RETENTION_MS_CONFIG,
                      Long.toString(config.resultRetentionMs())));
      long batchRetention = config.batch().retentionMs();
      Map<String, String> compactedBatch =
          Map.of(
              TopicConfig.CLEANUP_POLICY_CONFIG,
              "compact,delete",
              TopicConfig.RETENTION_MS_CONFIG,
              Long.toString(batchRetention));
      NewTopic batchFiles =
          new NewTopic(config.batch().filesTopic(), 4, (short) -1).configs(compactedBatch);
      NewTopic batchJobs =
          new NewTopic(config.batch().jobsTopic(), 4, (short) -1).configs(compactedBatch);
      NewTopic batchEvents =
          new NewTopic(config.batch().eventsTopic(), config.batch().eventsPartitions(), (short) -1)
              .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(batchRetention)));
      for (NewTopic t : List.of(replyTopic, resultsTopic, batchFiles, batchJobs, batchEvents)) {
        try {
          admin.createTopics(List.of(t)).all().get(20, TimeUnit.SECONDS);
          log.info("created topic {}", t.name());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }

  /** The bound HTTP port. */
  public int port() {
    return http.actualPort();
  }

  /**
   * Whether the bridge can do its job: routes and stored results loaded and kept up with, reply
   * partitions owned, every Kafka reader in contact with its brokers and the producer writing.
   */
  public boolean ready() {
    return readiness().values().stream().allMatch(Boolean.TRUE::equals);
  }

  private Map<String, Object> readiness() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("routes", routes != null && routes.ready());
    m.put("replies", replies != null && replies.ready());
    m.put("results", results != null && results.ready());
    m.put("producer", submitter != null && submitter.healthy());
    m.put("batch", batch != null && batch.ready());
    return m;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  public BridgeConfig config() {
    return config;
  }

  /** Stops taking requests, then stops the Kafka readers and the producer. */
  @Override
  public synchronized void close() {
    if (http != null) {
      try {
        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.warn("closing the HTTP server: {}", e.toString());
      }
      http = null;
    }
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        log.warn("closing {}: {}", parts.get(i).getClass().getSimpleName(), e.toString());
      }
    }
    parts.clear();
    if (ownVertx) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.warn("closing Vert.x: {}", e.toString());
      }
    }
  }
}
