package io.sluice.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka cluster (one KRaft node acting as broker and controller) running
 * inside this JVM.
 *
 * <p>Used by integration tests and by the dev stack. The data directory is formatted the first time
 * only, so starting again on the same directory keeps topics, records, committed offsets and
 * transaction state.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker =
 *     EmbeddedKafkaBroker.builder().dataDirectory(Path.of(".sluice/kafka")).port(9092).build()) {
 *   broker.start();
 *   broker.createTopics(new NewTopic("sluice.routes", 1, (short) 1));
 *   String bootstrap = broker.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>The broker logs through SLF4J under {@code kafka}, {@code org.apache.kafka} and {@code
 * state.change.logger}; set those to WARN for a quiet broker. A fatal metadata fault makes Kafka
 * halt the JVM, as a standalone broker would.
 *
 * <p>Not thread-safe for concurrent {@link #start()}/{@link #close()} from different threads beyond
 * what {@code synchronized} gives: both are serialised on the instance.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int BIND_ATTEMPTS = 3;

  private final Path dataDirectory;
  private final boolean deleteDataDirectoryOnClose;
  private final String host;
  private final int requestedPort;
  private final Map<String, String> extraProperties;
  private final Duration startupTimeout;

  private KafkaRaftServer server;
  private Admin admin;
  private String bootstrapServers;
  private String clusterId;

  private EmbeddedKafkaBroker(Builder builder) throws IOException {
    if (builder.dataDirectory == null) {
      this.dataDirectory = Files.createTempDirectory("sluice-kafka-");
      this.deleteDataDirectoryOnClose = true;
    } else {
      this.dataDirectory = builder.dataDirectory.toAbsolutePath();
      this.deleteDataDirectoryOnClose = builder.deleteDataDirectoryOnClose;
    }
    this.host = builder.host;
    this.requestedPort = builder.port;
    this.extraProperties = Map.copyOf(builder.extraProperties);
    this.startupTimeout = builder.startupTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the data directory if needed, starts the node and returns once the broker is unfenced
   * and answers metadata requests. Calling it on a running broker does nothing.
   *
   * @return this broker
   * @throws EmbeddedKafkaException if the broker does not start within the start-up timeout
   */
  public synchronized EmbeddedKafkaBroker start() {
    if (server != null) {
      return this;
    }
    long started = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      int brokerPort = requestedPort == 0 ? FreePorts.pick(host) : requestedPort;
      int controllerPort = FreePorts.pick(host);
      try {
        startOnce(brokerPort, controllerPort);
        break;
      } catch (RuntimeException e) {
        // Ports picked by us may have been taken by another process in the meantime: try again
        // with fresh ones. A port the caller asked for is not ours to change.
        if (attempt < BIND_ATTEMPTS && hasCause(e, BindException.class)) {
          log.debug("Port taken between picking and binding, retrying", e);
          continue;
        }
        throw e;
      }
    }
    log.info(
        "Kafka broker ready at {} in {} ms (data in {}, cluster {})",
        bootstrapServers,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        dataDirectory,
        clusterId);
    return this;
  }

  private void startOnce(int brokerPort, int controllerPort) {
    Properties props =
        BrokerSettings.build(dataDirectory, host, brokerPort, controllerPort, extraProperties);
    KafkaConfig config = KafkaConfig.fromProps(props, false);
    try {
      clusterId = StorageFormatter.formatIfNeeded(dataDirectory, config);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare Kafka data directory " + dataDirectory, e);
    }
    KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
    String bootstrap = host + ":" + brokerPort;
    Admin candidateAdmin = null;
    try {
      candidate.startup();
      candidateAdmin = Admin.create(adminConfig(bootstrap));
      awaitBrokerVisible(candidateAdmin);
    } catch (RuntimeException e) {
      closeQuietly(candidateAdmin);
      stop(candidate);
      throw e;
    }
    server = candidate;
    admin = candidateAdmin;
    bootstrapServers = bootstrap;
  }

  private void awaitBrokerVisible(Admin candidateAdmin) {
    try {
      var nodes =
          candidateAdmin
              .describeCluster()
              .nodes()
              .get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
      if (nodes.isEmpty()) {
        throw new EmbeddedKafkaException("Kafka broker started but reports no nodes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedKafkaException("Interrupted while waiting for the Kafka broker", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new EmbeddedKafkaException(
          "Kafka broker did not answer within " + startupTimeout, unwrap(e));
    }
  }

  /** {@code host:port} of the broker listener, for {@code bootstrap.servers}. */
  public synchronized String bootstrapServers() {
    requireRunning();
    return bootstrapServers;
  }

  /** The cluster id stored in the data directory. */
  public synchronized String clusterId() {
    requireRunning();
    return clusterId;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  /**
   * Creates each topic unless it exists (whatever its settings), and waits until every partition of
   * every requested topic has a leader.
   */
  public void createTopics(NewTopic... topics) {
    createTopics(Arrays.asList(topics));
  }

  /** Creates single-partition topics with the given names, skipping those that exist. */
  public void createTopics(String... names) {
    createTopics(Arrays.stream(names).map(n -> new NewTopic(n, 1, (short) 1)).toList());
  }

  /** See {@link #createTopics(NewTopic...)}. */
  public void createTopics(Collection<NewTopic> topics) {
    Admin client = admin();
    Map<String, NewTopic> byName = new LinkedHashMap<>();
    topics.forEach(t -> byName.put(t.name(), t));
    var result = client.createTopics(byName.values());
    for (var entry : result.values().entrySet()) {
      try {
        entry.getValue().get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new EmbeddedKafkaException("Cannot create topic " + entry.getKey(), e.getCause());
        }
      } catch (TimeoutException e) {
        throw new EmbeddedKafkaException("Timed out creating topic " + entry.getKey(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EmbeddedKafkaException("Interrupted creating topic " + entry.getKey(), e);
      }
    }
    awaitLeaders(client, List.copyOf(byName.keySet()));
  }

  private void awaitLeaders(Admin client, List<String> names) {
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    while (true) {
      try {
        Map<String, TopicDescription> descriptions =
            client.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
        boolean ready =
            descriptions.values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (ready) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        // Metadata for a just-created topic can lag by a moment; retry until the deadline.
        if (System.nanoTime() > deadline) {
          throw new EmbeddedKafkaException("Topics " + names + " have no leaders", unwrap(e));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EmbeddedKafkaException("Interrupted waiting for topics " + names, e);
      }
      if (System.nanoTime() > deadline) {
        throw new EmbeddedKafkaException("Topics " + names + " have no leaders");
      }
      pause();
    }
  }

  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedKafkaException("Interrupted waiting for topic leaders", e);
    }
  }

  /**
   * An admin client owned by this broker and closed with it; callers must not close it.
   *
   * @throws IllegalStateException if the broker is not running
   */
  public synchronized Admin admin() {
    requireRunning();
    return admin;
  }

  /**
   * Shuts the node down and waits for it to stop. The data directory is kept, unless this broker
   * created it as a temporary directory. Safe to call more than once.
   */
  @Override
  public synchronized void close() {
    if (server != null) {
      long started = System.nanoTime();
      closeQuietly(admin);
      stop(server);
      server = null;
      admin = null;
      log.info(
          "Kafka broker at {} stopped in {} ms",
          bootstrapServers,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
    if (deleteDataDirectoryOnClose && Files.exists(dataDirectory)) {
      try {
        Utils.delete(dataDirectory.toFile());
      } catch (IOException e) {
        log.warn("Could not delete Kafka data directory {}", dataDirectory, e);
      }
    }
  }

  private static void stop(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
  }

  private static void closeQuietly(Admin admin) {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }

  private void requireRunning() {
    if (server == null) {
      throw new IllegalStateException("Embedded Kafka broker is not running; call start() first");
    }
  }

  private Map<String, Object> adminConfig(String bootstrap) {
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap,
        AdminClientConfig.CLIENT_ID_CONFIG,
        "sluice-embedded-kafka-admin",
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
        (int) startupTimeout.toMillis(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
        10_000);
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        return false;
      }
    }
    return false;
  }

  /** Settings for an {@link EmbeddedKafkaBroker}; every setting has a single-node default. */
  public static final class Builder {
    private Path dataDirectory;
    private boolean deleteDataDirectoryOnClose;
    private String host = "localhost";
    private int port;
    private final Map<String, String> extraProperties = new LinkedHashMap<>();
    private Duration startupTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /**
     * Where topics and metadata live. Formatted on first start, reused afterwards. Without it a
     * temporary directory is used and deleted on {@link #close()}.
     */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
      return this;
    }

    /** Delete a caller-given data directory on close, too. Default false. */
    public Builder deleteDataDirectoryOnClose(boolean delete) {
      this.deleteDataDirectoryOnClose = delete;
      return this;
    }

    /** Host the listeners bind to and advertise. Default {@code localhost}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Client port; 0 (the default) picks a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** A broker property, applied after the single-node defaults so it overrides them. */
    public Builder brokerProperty(String key, String value) {
      extraProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, key));
      return this;
    }

    /** See {@link #brokerProperty(String, String)}. */
    public Builder brokerProperties(Map<String, String> properties) {
      properties.forEach(this::brokerProperty);
      return this;
    }

    /** How long {@link #start()} and topic creation may take. Default 60 s. */
    public Builder startupTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startupTimeout must be positive, was " + timeout);
      }
      this.startupTimeout = timeout;
      return this;
    }

    /**
     * Creates the (not yet started) broker.
     *
     * @throws UncheckedIOException if no temporary data directory can be created
     */
    public EmbeddedKafkaBroker build() {
      try {
        return new EmbeddedKafkaBroker(this);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a temporary Kafka data directory", e);
      }
    }
  }
}
