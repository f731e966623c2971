package io.sluice.registry;

import io.sluice.registry.internal.HttpApi;
import io.sluice.registry.internal.SchemaRegistry;
import io.sluice.registry.store.KafkaSchemaStore;
import io.sluice.registry.store.SchemaStore;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible Schema Registry for the dev stack and tests: the Confluent REST API (Avro
 * only) over HTTP, with schemas kept in a compacted Kafka topic so they survive a restart.
 *
 * <pre>{@code
 * try (EmbeddedSchemaRegistry registry =
 *     EmbeddedSchemaRegistry.builder("localhost:9092", 8081).build().start()) {
 *   String url = registry.url(); // http://localhost:8081
 * }
 * }</pre>
 *
 * <p>Run one instance per schema topic: the registry is the topic's only writer (see {@link
 * KafkaSchemaStore}).
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

  /** The topic Confluent's registry uses by default; Sluice's tools expect the same name. */
  public static final String DEFAULT_TOPIC = "_schemas";

  private final Builder config;
  private final SchemaStore store;
  private Vertx vertx;
  private HttpServer server;
  private String url;

  private EmbeddedSchemaRegistry(Builder config, SchemaStore store) {
    this.config = config;
    this.store = store;
  }

  /**
   * A registry storing schemas in {@code _schemas} on the given cluster, served on {@code port}.
   */
  public static Builder builder(String bootstrapServers, int port) {
    return new Builder(Objects.requireNonNull(bootstrapServers, "bootstrapServers"), null, port);
  }

  /** A registry on a given store (an in-memory one in unit tests), served on {@code port}. */
  public static Builder builder(SchemaStore store, int port) {
    return new Builder(null, Objects.requireNonNull(store, "store"), port);
  }

  /**
   * Loads the stored schemas (reading the topic to its end) and then starts serving, so the first
   * answer already knows every schema registered before a restart.
   */
  public synchronized EmbeddedSchemaRegistry start() {
    if (vertx != null) {
      throw new IllegalStateException("Already started");
    }
    SchemaRegistry registry =
        new SchemaRegistry(store, config.defaultLevel, config.operationTimeout);
    registry.load(config.startTimeout);
    LOG.info("Schema registry state loaded: {}", registry.summary());
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(4));
    try {
      server =
          vertx
              .createHttpServer(new HttpServerOptions().setHost(config.host).setPort(config.port))
              .requestHandler(new HttpApi(vertx, registry).router())
              .listen()
              .toCompletionStage()
              .toCompletableFuture()
              .get(config.startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("Interrupted while starting the schema registry", e);
    } catch (ExecutionException | TimeoutException e) {
      close();
      throw new IllegalStateException(
          "Could not listen on " + config.host + ":" + config.port + ": " + e.getMessage(), e);
    }
    String host = "0.0.0.0".equals(config.host) ? "localhost" : config.host;
    url = "http://" + host + ":" + server.actualPort();
    LOG.info("Schema registry listening on {}", url);
    return this;
  }

  /** The base URL clients use, e.g. {@code http://localhost:8081}. */
  public synchronized String url() {
    if (url == null) {
      throw new IllegalStateException("Not started");
    }
    return url;
  }

  /** The port actually bound (useful with port 0). */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("Not started");
    }
    return server.actualPort();
  }

  /** Stops accepting requests, lets in-flight ones finish, then closes the store. Idempotent. */
  @Override
  public synchronized void close() {
    if (vertx != null) {
      try {
        vertx
            .close()
            .toCompletionStage()
            .toCompletableFuture()
            .get(config.operationTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("Schema registry HTTP server did not close cleanly", e);
      }
      vertx = null;
      server = null;
    }
    store.close();
    url = null;
  }

  /** Settings of an {@link EmbeddedSchemaRegistry}. */
  public static final class Builder {
    private final String bootstrapServers;
    private final SchemaStore store;
    private final int port;
    private String host = "0.0.0.0";
    private String topic = DEFAULT_TOPIC;
    private CompatibilityLevel defaultLevel = CompatibilityLevel.BACKWARD;
    private Duration operationTimeout = Duration.ofSeconds(10);
    private Duration startTimeout = Duration.ofSeconds(60);

    private Builder(String bootstrapServers, SchemaStore store, int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0..65535 (0 = any free port): " + port);
      }
      this.bootstrapServers = bootstrapServers;
      this.store = store;
      this.port = port;
    }

    /** Interface to bind; default {@code 0.0.0.0}, as a real registry listens. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Schema topic; default {@code _schemas}. Ignored with an explicit store. */
    public Builder topic(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** Global compatibility level until one is stored; default BACKWARD, as Confluent's. */
    public Builder defaultCompatibility(CompatibilityLevel level) {
      this.defaultLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    /** How long a write waits for the store's ack before answering 50002; default 10 s. */
    public Builder operationTimeout(Duration timeout) {
      this.operationTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How long start() may take to read the store and bind; default 60 s. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public EmbeddedSchemaRegistry build() {
      SchemaStore chosen = store != null ? store : new KafkaSchemaStore(bootstrapServers, topic);
      return new EmbeddedSchemaRegistry(this, chosen);
    }
  }
}
