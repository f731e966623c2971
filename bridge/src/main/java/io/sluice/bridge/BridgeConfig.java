package io.sluice.bridge;

import io.sluice.bridge.batch.BatchSettings;
import io.sluice.common.config.ConfigDef;
import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.common.config.Validators;
import io.sluice.schemas.Topics;
import java.util.Map;

/**
 * The bridge's settings, typed and validated: each key defined once in {@link #definition()}, read
 * with {@link #from(SluiceConfig)} from layered configuration, with {@link #of(Map)} from raw
 * key/value pairs (the dev stack and tests do that; unset keys take their defaults), or with {@link
 * #defaults()} for a process with no configuration, and given to {@link
 * BridgeServer#start(BridgeConfig)}. There are no {@code with*} methods: a setting changed in code
 * goes through the same parsing and validation as one from a file.
 *
 * @param host address the HTTP server binds to
 * @param port HTTP port of the API and of /healthz, /readyz, /metrics (0 picks a free one)
 * @param bootstrapServers Kafka bootstrap servers
 * @param schemaRegistryUrl Schema Registry base URL ({@code mock://scope} in tests)
 * @param authEnabled whether {@code Authorization: Bearer} API keys are required
 * @param apiKeys allowed keys and their apps
 * @param replyTopic the shared topic replicas receive synchronous replies on
 * @param replyPartitions partitions of the reply topic when the bridge creates it
 * @param resultsTopic the compacted topic of async and idempotent results, read by every replica
 * @param replicaIndex -1: replicas share reply partitions through a consumer group; >= 0: this
 *     replica owns partitions p with p % replicaCount == replicaIndex (StatefulSet ordinals)
 * @param replicaCount number of replicas in static mode
 * @param replyGroup consumer group of the reply topic in group mode
 * @param instanceId static group membership ({@code group.instance.id}) of this replica's consumer
 *     groups; empty: dynamic membership
 * @param defaultTimeoutMs how long a synchronous call waits when the client names no timeout
 * @param maxTimeoutMs the cap on a client-named timeout
 * @param asyncDeadlineMs the deadline given to async requests
 * @param resultRetentionMs how long async results and idempotency keys are kept
 * @param resultCacheSize most results kept in memory per replica
 * @param maxInFlight requests waiting for a reply at once before 429
 * @param maxMessageBytes the one record-size limit ({@code sluice.kafka.max-message-bytes}); the
 *     largest accepted body ({@link #maxBodyBytes()}) is derived from it
 * @param kafkaTimeoutMs bound on Kafka produce (metadata wait plus delivery) before 503
 * @param inlineSend whether a request whose topic's schema id and metadata are known is sent on the
 *     calling event loop by a producer that never waits (else every send takes a pool thread)
 * @param kafkaOverrides the Kafka client properties every client of the bridge takes: {@code
 *     sluice.kafka.client.*} and the SASL JAAS line ({@link ConnectionKeys#clientSettings},
 *     bootstrap servers apart)
 * @param producerSettings the shared producer settings ({@link ConnectionKeys#producerSettings})
 * @param groupSettings the shared consumer-group settings ({@link ConnectionKeys#groupSettings})
 * @param registrySettings the Schema Registry client settings ({@link
 *     ConnectionKeys#registrySettings})
 * @param batch the batch API's settings ({@code sluice.bridge.batch.*})
 */
public record BridgeConfig(
    String host,
    int port,
    String bootstrapServers,
    String schemaRegistryUrl,
    boolean authEnabled,
    ApiKeys apiKeys,
    String replyTopic,
    int replyPartitions,
    String resultsTopic,
    int replicaIndex,
    int replicaCount,
    String replyGroup,
    String instanceId,
    long defaultTimeoutMs,
    long maxTimeoutMs,
    long asyncDeadlineMs,
    long resultRetentionMs,
    int resultCacheSize,
    int maxInFlight,
    int maxMessageBytes,
    long kafkaTimeoutMs,
    boolean inlineSend,
    Map<String, String> kafkaOverrides,
    Map<String, Object> producerSettings,
    Map<String, Object> groupSettings,
    Map<String, Object> registrySettings,
    BatchSettings batch) {

  public static final String HOST = "sluice.bridge.host";
  public static final String PORT = "sluice.bridge.port";
  public static final String BOOTSTRAP_SERVERS = ConnectionKeys.BOOTSTRAP_SERVERS;
  public static final String SCHEMA_REGISTRY_URL = ConnectionKeys.SCHEMA_REGISTRY_URL;
  public static final String AUTH_ENABLED = "sluice.bridge.auth-enabled";
  public static final String API_KEYS = "sluice.bridge.api-keys";
  public static final String REPLY_TOPIC = "sluice.bridge.reply-topic";
  public static final String REPLY_PARTITIONS = "sluice.bridge.reply-partitions";
  public static final String RESULTS_TOPIC = "sluice.bridge.results-topic";

  /** The results topic's default name: where async calls' replies land. */
  public static final String DEFAULT_RESULTS_TOPIC = "sluice.bridge.results";

  public static final String REPLICA_INDEX = "sluice.bridge.replica-index";
  public static final String REPLICA_COUNT = "sluice.bridge.replica-count";
  public static final String REPLY_GROUP = "sluice.bridge.reply-group";
  public static final String INSTANCE_ID = "sluice.bridge.instance-id";
  public static final String DEFAULT_TIMEOUT_MS = "sluice.bridge.default-timeout-ms";
  public static final String MAX_TIMEOUT_MS = "sluice.bridge.max-timeout-ms";
  public static final String ASYNC_DEADLINE_MS = "sluice.bridge.async-deadline-ms";
  public static final String RESULT_RETENTION_MS = "sluice.bridge.result-retention-ms";
  public static final String RESULT_CACHE_SIZE = "sluice.bridge.result-cache-size";
  public static final String MAX_IN_FLIGHT = "sluice.bridge.max-in-flight";

  /**
   * What an encoded request carries beside the body's content (ids, app, reply address, deadline,
   * traceparent, Kafka headers and record framing), with room to spare: the body limit is the
   * record limit less this.
   */
  public static final int ENVELOPE_BYTES = 16 * 1024;

  public static final String KAFKA_TIMEOUT_MS = "sluice.bridge.kafka-timeout-ms";
  public static final String INLINE_SEND = "sluice.bridge.inline-send";
  public static final String BATCH_FILES_TOPIC = "sluice.bridge.batch.files-topic";
  public static final String BATCH_JOBS_TOPIC = "sluice.bridge.batch.jobs-topic";
  public static final String BATCH_EVENTS_TOPIC = "sluice.bridge.batch.events-topic";
  public static final String BATCH_EVENTS_PARTITIONS = "sluice.bridge.batch.events-partitions";
  public static final String BATCH_GROUP = "sluice.bridge.batch.group";
  public static final String BATCH_MAX_FILE_LINES = "sluice.bridge.batch.max-file-lines";
  public static final String BATCH_MAX_FILE_BYTES = "sluice.bridge.batch.max-file-bytes";
  public static final String BATCH_MAX_FILES = "sluice.bridge.batch.max-files";
  public static final String BATCH_MAX_ACTIVE = "sluice.bridge.batch.max-active";
  public static final String BATCH_RETENTION_MS = "sluice.bridge.batch.retention-ms";
  public static final String BATCH_WINDOW = "sluice.bridge.batch.window";
  public static final String BATCH_LINE_TIMEOUT_MS = "sluice.bridge.batch.line-timeout-ms";
  public static final String KAFKA_CLIENT_PREFIX = "sluice.kafka.client.";

  /** Every key of the bridge, with type, default, validation and doc (a new, unshared copy). */
  public static ConfigDef definition() {
    return new ConfigDef()
        .define(HOST, ConfigDef.Type.STRING, "0.0.0.0", "Address the HTTP server binds to.")
        .define(
            PORT,
            ConfigDef.Type.INT,
            8080,
            Validators.port(),
            "HTTP port of the API and of /healthz, /readyz, /metrics.")
        .include(ConnectionKeys.definition())
        .define(
            AUTH_ENABLED,
            ConfigDef.Type.BOOLEAN,
            false,
            "Require `Authorization: Bearer <key>` on /v1 routes (on in the Helm chart).")
        .define(
            API_KEYS,
            ConfigDef.Type.PASSWORD,
            "",
            (k, v) -> ApiKeys.parse(v.toString()),
            "API keys and the apps each may call: comma-separated `key=apps`, apps split by a vertical bar, `*` for all.")
        .define(
            REPLY_TOPIC,
            ConfigDef.Type.STRING,
            "sluice.bridge.replies",
            Validators.nonEmpty(),
            "Shared topic on which replicas receive synchronous replies.")
        .define(
            REPLY_PARTITIONS,
            ConfigDef.Type.INT,
            32,
            Validators.atLeast(1),
            "Partitions of the reply topic when the bridge creates it (>= replicas).")
        .define(
            RESULTS_TOPIC,
            ConfigDef.Type.STRING,
            DEFAULT_RESULTS_TOPIC,
            Validators.nonEmpty(),
            "Compacted topic of async and idempotent results, read by every replica.")
        .define(
            REPLICA_INDEX,
            ConfigDef.Type.INT,
            -1,
            Validators.atLeast(-1),
            "-1: share reply partitions through a consumer group; >= 0: static ownership.")
        .define(
            REPLICA_COUNT,
            ConfigDef.Type.INT,
            1,
            Validators.atLeast(1),
            "Number of replicas in static mode (replica-index >= 0).")
        .define(
            REPLY_GROUP,
            ConfigDef.Type.STRING,
            "sluice.bridge",
            Validators.nonEmpty(),
            "Consumer group sharing the reply topic in group mode.")
        .define(
            INSTANCE_ID,
            ConfigDef.Type.STRING,
            "",
            "Static group membership (group.instance.id) of this replica in its consumer"
                + " group(s); empty for dynamic membership. Set it to a name stable across"
                + " restarts (a pod name, the dev stack's fixed name) so that a restarted"
                + " replica rejoins at once instead of waiting for its old member to expire."
                + " Must differ between live replicas.")
        .define(
            DEFAULT_TIMEOUT_MS,
            ConfigDef.Type.LONG,
            30_000L,
            Validators.atLeast(1),
            "How long a synchronous call waits when the client names no timeout.")
        .define(
            MAX_TIMEOUT_MS,
            ConfigDef.Type.LONG,
            300_000L,
            Validators.atLeast(1),
            "Cap on the timeout a client may ask for.")
        .define(
            ASYNC_DEADLINE_MS,
            ConfigDef.Type.LONG,
            600_000L,
            Validators.atLeast(1),
            "Deadline of async (`Prefer: respond-async`) requests.")
        .define(
            RESULT_RETENTION_MS,
            ConfigDef.Type.LONG,
            3_600_000L,
            Validators.atLeast(1000),
            "How long async results and Idempotency-Keys are kept.")
        .define(
            RESULT_CACHE_SIZE,
            ConfigDef.Type.INT,
            100_000,
            Validators.atLeast(1),
            "Most results each replica keeps in memory.")
        .define(
            MAX_IN_FLIGHT,
            ConfigDef.Type.INT,
            10_000,
            Validators.atLeast(1),
            "Requests waiting for a reply at once; above it 429 with Retry-After.")
        .define(
            KAFKA_TIMEOUT_MS,
            ConfigDef.Type.LONG,
            5_000L,
            Validators.atLeast(100),
            "Bound on a Kafka produce (metadata wait plus delivery); past it 503.")
        .define(
            INLINE_SEND,
            ConfigDef.Type.BOOLEAN,
            true,
            "Send a request on the event loop that took it, by a second producer that never"
                + " waits (max.block.ms=0), once its topic's schema id and metadata are known;"
                + " a send that would wait goes to the producer pool. Off: every send takes a"
                + " pool thread (one more thread hand-off per call).")
        .define(
            BATCH_FILES_TOPIC,
            ConfigDef.Type.STRING,
            Topics.BATCH_FILES,
            Validators.nonEmpty(),
            "Compacted topic of batch files (content chunks and metadata), read by every replica.")
        .define(
            BATCH_JOBS_TOPIC,
            ConfigDef.Type.STRING,
            Topics.BATCH_JOBS,
            Validators.nonEmpty(),
            "Compacted topic of batch job records (key = batch id), read by every replica.")
        .define(
            BATCH_EVENTS_TOPIC,
            ConfigDef.Type.STRING,
            Topics.BATCH_EVENTS,
            Validators.nonEmpty(),
            "Topic of batch line replies and cancel events; the replica owning a partition runs"
                + " the jobs on it.")
        .define(
            BATCH_EVENTS_PARTITIONS,
            ConfigDef.Type.INT,
            8,
            Validators.atLeast(1),
            "Partitions of the batch events topic when the bridge creates it (>= replicas).")
        .define(
            BATCH_GROUP,
            ConfigDef.Type.STRING,
            "sluice.bridge.batch",
            Validators.nonEmpty(),
            "Consumer group of the replicas sharing the batch events topic.")
        .define(
            BATCH_MAX_FILE_LINES,
            ConfigDef.Type.INT,
            50_000,
            Validators.atLeast(1),
            "Most lines in an uploaded batch file; above it 400 too_many_lines.")
        .define(
            BATCH_MAX_FILE_BYTES,
            ConfigDef.Type.LONG,
            200L * 1024 * 1024,
            Validators.atLeast(1),
            "Largest uploaded file; above it 413 payload_too_large.")
        .define(
            BATCH_MAX_FILES,
            ConfigDef.Type.INT,
            10_000,
            Validators.atLeast(1),
            "Most files kept (uploads and results); above it an upload is 400 too_many_files.")
        .define(
            BATCH_MAX_ACTIVE,
            ConfigDef.Type.INT,
            100,
            Validators.atLeast(1),
            "Most batches not finished at once; above it POST /v1/batches is 429 too_many_batches.")
        .define(
            BATCH_RETENTION_MS,
            ConfigDef.Type.LONG,
            7L * 24 * 3600 * 1000,
            Validators.atLeast(60_000),
            "How long batch files and batch records are kept (topic retention and listing).")
        .define(
            BATCH_WINDOW,
            ConfigDef.Type.INT,
            256,
            Validators.atLeast(1),
            "Most lines of one batch in flight at once.")
        .define(
            BATCH_LINE_TIMEOUT_MS,
            ConfigDef.Type.LONG,
            600_000L,
            Validators.atLeast(1000),
            "After how long an unanswered batch line is sent again (same request id).")
        .allowKafkaPrefix(KAFKA_CLIENT_PREFIX);
  }

  public BridgeConfig {
    kafkaOverrides = Map.copyOf(kafkaOverrides);
    producerSettings = Map.copyOf(producerSettings);
    groupSettings = Map.copyOf(groupSettings);
    if (replicaIndex >= replicaCount) {
      throw new ConfigException(
          REPLICA_INDEX,
          replicaIndex,
          "must be below " + REPLICA_COUNT + " (" + replicaCount + ")");
    }
  }

  /** Reads the bridge's keys from layered, validated configuration. */
  public static BridgeConfig from(SluiceConfig c) {
    return new BridgeConfig(
        c.getString(HOST),
        c.getInt(PORT),
        c.getString(BOOTSTRAP_SERVERS),
        c.getString(SCHEMA_REGISTRY_URL),
        c.getBoolean(AUTH_ENABLED),
        ApiKeys.parse(c.getString(API_KEYS)),
        c.getString(REPLY_TOPIC),
        c.getInt(REPLY_PARTITIONS),
        c.getString(RESULTS_TOPIC),
        c.getInt(REPLICA_INDEX),
        c.getInt(REPLICA_COUNT),
        c.getString(REPLY_GROUP),
        c.getString(INSTANCE_ID).trim(),
        c.getLong(DEFAULT_TIMEOUT_MS),
        c.getLong(MAX_TIMEOUT_MS),
        c.getLong(ASYNC_DEADLINE_MS),
        c.getLong(RESULT_RETENTION_MS),
        c.getInt(RESULT_CACHE_SIZE),
        c.getInt(MAX_IN_FLIGHT),
        c.getInt(ConnectionKeys.MAX_MESSAGE_BYTES),
        c.getLong(KAFKA_TIMEOUT_MS),
        c.getBoolean(INLINE_SEND),
        kafkaProperties(c),
        ConnectionKeys.producerSettings(c),
        ConnectionKeys.groupSettings(c),
        ConnectionKeys.registrySettings(c),
        new BatchSettings(
            c.getString(BATCH_FILES_TOPIC),
            c.getString(BATCH_JOBS_TOPIC),
            c.getString(BATCH_EVENTS_TOPIC),
            c.getInt(BATCH_EVENTS_PARTITIONS),
            c.getString(BATCH_GROUP),
            c.getInt(BATCH_MAX_FILE_LINES),
            c.getLong(BATCH_MAX_FILE_BYTES),
            c.getInt(BATCH_MAX_FILES),
            c.getInt(BATCH_MAX_ACTIVE),
            c.getLong(BATCH_RETENTION_MS),
            c.getInt(BATCH_WINDOW),
            c.getLong(BATCH_LINE_TIMEOUT_MS)));
  }

  private static Map<String, String> kafkaProperties(SluiceConfig c) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    ConnectionKeys.clientSettings(c).forEach((k, v) -> out.put(k, String.valueOf(v)));
    out.remove("bootstrap.servers");
    return out;
  }

  /** Every default, as a process with no configuration would run. */
  public static BridgeConfig defaults() {
    return from(definition().parse(Map.of()));
  }

  /**
   * A config from raw values (the keys of {@link #definition()}), parsed and validated the same way
   * as a process's layered configuration; unset keys take their defaults.
   */
  public static BridgeConfig of(Map<String, String> settings) {
    return from(definition().parse(settings));
  }

  /**
   * The largest accepted request body: the record limit less {@link #ENVELOPE_BYTES}, so a body
   * that passes is one whose encoded request fits a record (an input that grows when re-encoded is
   * still caught at the producer, and answered 413 too).
   */
  public int maxBodyBytes() {
    return maxMessageBytes - ENVELOPE_BYTES;
  }

  /**
   * How long an id may stay pending without a result: the longest deadline the bridge gives a
   * request (async or the timeout cap), plus the produce bound and a minute of slack for clocks and
   * a late reply in flight.
   */
  public long pendingTtlMs() {
    return Math.max(asyncDeadlineMs, maxTimeoutMs) + kafkaTimeoutMs + 60_000;
  }

  /** Whether replicas own fixed partitions ({@code replica-index >= 0}). */
  public boolean staticReplicas() {
    return replicaIndex >= 0;
  }

  @Override
  public String toString() {
    return "BridgeConfig[host="
        + host
        + ", port="
        + port
        + ", bootstrapServers="
        + bootstrapServers
        + ", schemaRegistryUrl="
        + schemaRegistryUrl
        + ", authEnabled="
        + authEnabled
        + ", apiKeys="
        + apiKeys
        + ", replyTopic="
        + replyTopic
        + ", replyPartitions="
        + replyPartitions
        + ", resultsTopic="
        + resultsTopic
        + ", replicaIndex="
        + replicaIndex
        + ", replicaCount="
        + replicaCount
        + ", replyGroup="
        + replyGroup
        + ", instanceId="
        + instanceId
        + ", defaultTimeoutMs="
        + defaultTimeoutMs
        + ", maxTimeoutMs="
        + maxTimeoutMs
        + ", maxInFlight="
        + maxInFlight
        + ", maxMessageBytes="
        + maxMessageBytes
        + "]";
  }
}
