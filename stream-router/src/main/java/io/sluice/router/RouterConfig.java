package io.sluice.router;

import io.sluice.common.config.ConfigDef;
import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.common.config.Validators;
import io.sluice.router.batch.BatchLimits;
import io.sluice.router.topology.TopologySettings;
import io.sluice.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The router's configuration, typed and validated: every key defined once in {@link #definition()}
 * (the README table is generated from it), read with {@link #from(SluiceConfig)} from layered
 * configuration or with {@link #of(Map)} from raw values, and given to {@link
 * RouterApp#start(RouterConfig)}.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param managementHost bind address of /healthz, /readyz, /metrics
 * @param managementPort port of /healthz, /readyz, /metrics (0 picks a free one)
 * @param applicationId Kafka Streams application.id
 * @param stateDir Kafka Streams state directory
 * @param processingGuarantee {@code at_least_once} or {@code exactly_once_v2}
 * @param instanceId static group membership id, or empty for dynamic membership
 * @param numThreads stream threads
 * @param commitIntervalMs how often offsets and the batch buffer changelog are committed
 * @param maxRecordAttempts tries of a failing record before it is dead-lettered
 * @param topology what the topology needs (schemas, request topics, default limits, partitions)
 * @param streamsOverrides Kafka Streams settings passed through ({@code sluice.router.streams.*})
 * @param producerSettings the shared producer settings ({@link ConnectionKeys#producerSettings})
 * @param groupSettings the shared consumer-group settings ({@link ConnectionKeys#groupSettings})
 * @param clientSettings what every Kafka client of the router starts from: bootstrap servers and
 *     security ({@link ConnectionKeys#clientSettings}); its {@code toString()} redacts secrets
 */
public record RouterConfig(
    String bootstrapServers,
    String managementHost,
    int managementPort,
    String applicationId,
    String stateDir,
    String processingGuarantee,
    String instanceId,
    int numThreads,
    long commitIntervalMs,
    int maxRecordAttempts,
    TopologySettings topology,
    Map<String, String> streamsOverrides,
    Map<String, Object> producerSettings,
    Map<String, Object> groupSettings,
    Map<String, Object> clientSettings) {
  public static final String BOOTSTRAP_SERVERS = ConnectionKeys.BOOTSTRAP_SERVERS;
  public static final String SCHEMA_REGISTRY_URL = ConnectionKeys.SCHEMA_REGISTRY_URL;
  public static final String MANAGEMENT_HOST = "sluice.management.host";
  public static final String MANAGEMENT_PORT = "sluice.management.port";
  public static final String APPLICATION_ID = "sluice.router.application-id";
  public static final String STATE_DIR = "sluice.router.state-dir";
  public static final String PROCESSING_GUARANTEE = "sluice.router.processing-guarantee";
  public static final String NUM_THREADS = "sluice.router.num-threads";
  public static final String COMMIT_INTERVAL_MS = "sluice.router.commit-interval-ms";
  public static final String REQUEST_TOPIC_PATTERN = "sluice.router.request-topic-pattern";
  public static final String MAX_BATCH_SIZE = "sluice.router.max-batch-size";
  public static final String MAX_WAIT_MS = "sluice.router.max-wait-ms";
  public static final String MAX_BATCH_TOKENS = "sluice.router.max-batch-tokens";
  public static final String PUNCTUATE_INTERVAL_MS = "sluice.router.punctuate-interval-ms";
  public static final String INSTANCE_ID = "sluice.router.instance-id";
  public static final String PARTITIONS = "sluice.router.partitions";
  public static final String MAX_RECORD_ATTEMPTS = "sluice.router.max-record-attempts";

  /** What Kafka accepts as a group.instance.id (Kafka Streams appends "-<thread index>"). */
  private static final Pattern INSTANCE_ID_CHARS = Pattern.compile("[a-zA-Z0-9._-]{0,200}");

  /**
   * Prefix of Kafka Streams settings passed through unchanged, e.g. {@code ...streams.linger.ms}.
   */
  public static final String STREAMS_PREFIX = "sluice.router.streams.";

  /** The keys every client of Kafka and the registry needs (also used by {@code routes}). */
  public static ConfigDef connection() {
    return ConnectionKeys.definition();
  }

  /** All router keys. */
  public static ConfigDef definition() {
    return new ConfigDef()
        .include(connection())
        .define(
            MANAGEMENT_HOST,
            ConfigDef.Type.STRING,
            "0.0.0.0",
            "Bind address of /healthz, /readyz, /metrics.")
        .define(
            MANAGEMENT_PORT,
            ConfigDef.Type.INT,
            9090,
            Validators.port(),
            "Port of /healthz, /readyz, /metrics (0 picks a free one).")
        .define(
            APPLICATION_ID,
            ConfigDef.Type.STRING,
            "sluice-router",
            Validators.nonEmpty(),
            "Kafka Streams application.id: consumer group and prefix of internal topics.")
        .define(
            STATE_DIR,
            ConfigDef.Type.STRING,
            ".sluice/router-state",
            Validators.nonEmpty(),
            "Kafka Streams state directory. The default is relative to the working directory and"
                + " stable across restarts (never a temp dir); in production point it at a volume.")
        .define(
            PROCESSING_GUARANTEE,
            ConfigDef.Type.STRING,
            "at_least_once",
            Validators.oneOf("at_least_once", "exactly_once_v2"),
            "at_least_once or exactly_once_v2.")
        .define(
            INSTANCE_ID,
            ConfigDef.Type.STRING,
            "",
            RouterConfig::checkInstanceId,
            "Static group membership: empty (default) joins the consumer group dynamically; set"
                + " (unique per router replica, stable across its restarts, e.g. the pod name)"
                + " it becomes Kafka Streams' group.instance.id, so a restarted router takes its"
                + " partitions back at once without a rebalance. A replica that stays away longer"
                + " than sluice.kafka.session-timeout-ms is replaced as usual.")
        .define(NUM_THREADS, ConfigDef.Type.INT, 1, Validators.atLeast(1), "Stream threads.")
        .define(
            COMMIT_INTERVAL_MS,
            ConfigDef.Type.LONG,
            // 200 ms, not 1 s: what a SIGKILLed router had not committed is routed again, so
            // this bounds duplicates (the fault suite measured 0.30 % at 1 s, 0 % at 200 ms).
            200L,
            Validators.atLeast(1),
            "How often offsets and the batch buffer changelog are committed.")
        .define(
            REQUEST_TOPIC_PATTERN,
            ConfigDef.Type.STRING,
            TopologySettings.DEFAULT_REQUEST_PATTERN,
            RouterConfig::checkPattern,
            "Regex of the request topics; new apps' topics are picked up without a restart.")
        .define(
            MAX_BATCH_SIZE,
            ConfigDef.Type.INT,
            8,
            Validators.atLeast(1),
            "Default maxBatchSize of deployments whose route sets none.")
        .define(
            MAX_WAIT_MS,
            ConfigDef.Type.LONG,
            10L,
            Validators.atLeast(0),
            "Default maxWaitMs (0 = no waiting) of deployments whose route sets none; their BULK"
                + " batches wait the larger of it and 100 ms.")
        .define(
            MAX_BATCH_TOKENS,
            ConfigDef.Type.INT,
            0,
            Validators.atLeast(0),
            "Default maxBatchTokens (0 = no token budget) of deployments whose route sets none.")
        .define(
            PUNCTUATE_INTERVAL_MS,
            ConfigDef.Type.LONG,
            1L,
            Validators.atLeast(1),
            "How often (wall clock) buffers are checked for maxWaitMs: the flush slack.")
        .define(
            PARTITIONS,
            ConfigDef.Type.INT,
            TopologySettings.DEFAULT_PARTITIONS,
            Validators.between(1, 1000),
            "Partitions of the router's routed-requests repartition topic = number of batching"
                + " tasks (the most router threads, over all replicas, that batch in parallel;"
                + " each deployment is batched by one of them)."
                + " Request topics may have any partition count. Changing it on an existing"
                + " application id is refused at start-up (its repartition topic and batch buffer"
                + " changelog have the old count): use a new application id once the old one has"
                + " drained.")
        .define(
            MAX_RECORD_ATTEMPTS,
            ConfigDef.Type.INT,
            3,
            Validators.between(1, 100),
            "How many times a record whose processing or production fails (other than a"
                + " transient dependency failure) is tried, each on a replaced stream thread,"
                + " before it is dead-lettered to sluice.dlq.router and the partition moves on.")
        .allowKafkaPrefix(STREAMS_PREFIX);
  }

  public RouterConfig {
    streamsOverrides = Map.copyOf(streamsOverrides);
    producerSettings = Map.copyOf(producerSettings);
    groupSettings = Map.copyOf(groupSettings);
    // Not copied: ConnectionKeys' map redacts secrets from toString().
    java.util.Objects.requireNonNull(clientSettings, "clientSettings");
  }

  /** Reads the router's keys from layered, validated configuration. */
  public static RouterConfig from(SluiceConfig c) {
    int tokens = c.getInt(MAX_BATCH_TOKENS);
    TopologySettings topology =
        new TopologySettings(
            SerdeConfig.from(ConnectionKeys.registrySettings(c)),
            Pattern.compile(c.getString(REQUEST_TOPIC_PATTERN)),
            new BatchLimits(
                c.getInt(MAX_BATCH_SIZE), c.getLong(MAX_WAIT_MS), tokens == 0 ? null : tokens),
            Duration.ofMillis(c.getLong(PUNCTUATE_INTERVAL_MS)),
            c.getInt(PARTITIONS),
            c.getInt(ConnectionKeys.MAX_MESSAGE_BYTES));
    return new RouterConfig(
        c.getString(BOOTSTRAP_SERVERS),
        c.getString(MANAGEMENT_HOST),
        c.getInt(MANAGEMENT_PORT),
        c.getString(APPLICATION_ID),
        c.getString(STATE_DIR),
        c.getString(PROCESSING_GUARANTEE),
        c.getString(INSTANCE_ID),
        c.getInt(NUM_THREADS),
        c.getLong(COMMIT_INTERVAL_MS),
        c.getInt(MAX_RECORD_ATTEMPTS),
        topology,
        c.withPrefix(STREAMS_PREFIX),
        ConnectionKeys.producerSettings(c),
        ConnectionKeys.groupSettings(c),
        ConnectionKeys.clientSettings(c));
  }

  /**
   * A config from raw values (the keys of {@link #definition()}), parsed and validated the same way
   * as a process's layered configuration; unset keys take their defaults.
   */
  public static RouterConfig of(Map<String, String> settings) {
    return from(definition().parse(settings));
  }

  /**
   * The record's text, with the pass-through Kafka Streams settings named but not shown: they may
   * carry credentials (a SASL JAAS config).
   */
  @Override
  public String toString() {
    return "RouterConfig[bootstrapServers="
        + bootstrapServers
        + ", managementHost="
        + managementHost
        + ", managementPort="
        + managementPort
        + ", applicationId="
        + applicationId
        + ", stateDir="
        + stateDir
        + ", processingGuarantee="
        + processingGuarantee
        + ", instanceId="
        + instanceId
        + ", numThreads="
        + numThreads
        + ", commitIntervalMs="
        + commitIntervalMs
        + ", maxRecordAttempts="
        + maxRecordAttempts
        + ", topology="
        + topology
        + ", streamsOverrides="
        + streamsOverrides.keySet()
        + ", clientSettings="
        + clientSettings
        + "]";
  }

  private static void checkPattern(String key, Object value) {
    try {
      Pattern.compile(value.toString());
    } catch (PatternSyntaxException e) {
      throw new ConfigException(key, value, "a Java regex: " + e.getDescription());
    }
  }

  private static void checkInstanceId(String key, Object value) {
    if (!INSTANCE_ID_CHARS.matcher(value.toString()).matches()) {
      throw new ConfigException(
          key, value, "at most 200 characters of a-z A-Z 0-9 . _ - (or empty)");
    }
  }
}
