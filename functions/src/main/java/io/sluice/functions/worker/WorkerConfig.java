package io.sluice.functions.worker;

import io.sluice.common.config.ConfigDef;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.common.config.Validators;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key of a worker, defined once ({@link #definition()}), and the typed,
 * validated settings read from them ({@link WorkerConfig#from}, or {@link #of(Map)} for a plain map
 * on top of the defaults). Keys and defaults are listed in {@code functions/README.md}.
 *
 * <pre>{@code
 * WorkerConfig config = WorkerConfig.of(Map.of(
 *     WorkerConfig.DEPLOYMENT, "chat",
 *     WorkerConfig.FUNCTION, "llm",
 *     WorkerConfig.BACKEND_URL, "http://localhost:8000",
 *     WorkerConfig.BOOTSTRAP_SERVERS, "localhost:9092"));
 * config.retry().maxAttempts(); // 3, from sluice.worker.retry.max-attempts
 * }</pre>
 *
 * @param deployment the deployment served ({@code --deployment})
 * @param function the function's registered name
 * @param functionPath where a user's functions are loaded from besides Sluice's own ({@code
 *     --functions}): jars, directories of jars, class directories; empty for none
 * @param bootstrapServers Kafka bootstrap servers
 * @param schemaRegistryUrl Schema Registry base URL ({@code mock://scope} in tests)
 * @param managementPort port of /healthz, /readyz, /metrics; 0 picks one, -1 disables
 * @param backendUrl model backend base URL
 * @param backendApiKey backend API key, or empty
 * @param model model name for the backend, or empty
 * @param maxConcurrentBatches batches in flight per worker before partitions are paused, when
 *     {@code maxOngoingRequests} is 0
 * @param maxOngoingRequests requests in flight per worker, a batch counting its requests; 0 counts
 *     batches instead ({@code maxConcurrentBatches})
 * @param maxBatchSize the deployment's largest batch (room kept for interactive requests when
 *     counting requests), or 0 when not known
 * @param exactlyOnce transactional consume-process-produce instead of at-least-once
 * @param instanceId static group membership id, or empty for dynamic membership
 * @param drain how long a graceful shutdown waits for in-flight batches
 * @param retry retries of retriable item failures
 * @param backendTimeout whole-call timeout of backend calls
 * @param functionParameters {@code sluice.function.*} settings, prefix removed
 * @param consumerOverrides {@code sluice.kafka.consumer.*} Kafka consumer settings
 * @param producerOverrides {@code sluice.kafka.producer.*} Kafka producer settings
 * @param groupSettings the shared consumer-group settings ({@link ConnectionKeys#groupSettings})
 * @param producerSettings the shared producer settings ({@link ConnectionKeys#producerSettings})
 * @param maxMessageBytes the one record-size limit ({@code sluice.kafka.max-message-bytes})
 * @param clientSettings what every Kafka client of the worker starts from: bootstrap servers and
 *     security ({@link ConnectionKeys#clientSettings}); its {@code toString()} redacts secrets
 * @param registrySettings the Schema Registry client settings ({@link
 *     ConnectionKeys#registrySettings})
 */
public record WorkerConfig(
    String deployment,
    String function,
    List<Path> functionPath,
    String bootstrapServers,
    String schemaRegistryUrl,
    int managementPort,
    String backendUrl,
    String backendApiKey,
    String model,
    int maxConcurrentBatches,
    int maxOngoingRequests,
    int maxBatchSize,
    boolean exactlyOnce,
    String instanceId,
    Duration drain,
    Backoff retry,
    Duration backendTimeout,
    Map<String, String> functionParameters,
    Map<String, String> consumerOverrides,
    Map<String, String> producerOverrides,
    Map<String, Object> groupSettings,
    Map<String, Object> producerSettings,
    int maxMessageBytes,
    Map<String, Object> clientSettings,
    Map<String, Object> registrySettings) {

  public WorkerConfig {
    functionPath = List.copyOf(functionPath);
  }

  public static final String BOOTSTRAP_SERVERS = ConnectionKeys.BOOTSTRAP_SERVERS;
  public static final String SCHEMA_REGISTRY_URL = ConnectionKeys.SCHEMA_REGISTRY_URL;
  public static final String MANAGEMENT_PORT = "sluice.management.port";
  public static final String DEPLOYMENT = "sluice.worker.deployment";
  public static final String FUNCTION = "sluice.worker.function";
  public static final String FUNCTION_PATH = "sluice.worker.function-path";
  public static final String BACKEND_URL = "sluice.worker.backend-url";
  public static final String BACKEND_API_KEY = "sluice.worker.backend-api-key";
  public static final String BACKEND_TIMEOUT_MS = "sluice.worker.backend-timeout-ms";
  public static final String MODEL = "sluice.worker.model";
  public static final String MAX_CONCURRENT_BATCHES = "sluice.worker.max-concurrent-batches";
  public static final String MAX_ONGOING_REQUESTS = "sluice.worker.max-ongoing-requests";
  public static final String MAX_BATCH_SIZE = "sluice.worker.max-batch-size";
  public static final String DELIVERY = "sluice.worker.delivery";
  public static final String INSTANCE_ID = "sluice.worker.instance-id";
  public static final String DRAIN_SECONDS = "sluice.worker.drain-seconds";
  public static final String RETRY_MAX_ATTEMPTS = "sluice.worker.retry.max-attempts";
  public static final String RETRY_INITIAL_MS = "sluice.worker.retry.initial-backoff-ms";
  public static final String RETRY_MAX_MS = "sluice.worker.retry.max-backoff-ms";
  public static final String FUNCTION_PREFIX = "sluice.function.";
  public static final String CONSUMER_PREFIX = "sluice.kafka.consumer.";
  public static final String PRODUCER_PREFIX = "sluice.kafka.producer.";

  public static final String AT_LEAST_ONCE = "at-least-once";
  public static final String EXACTLY_ONCE = "exactly-once";

  /** The worker's configuration keys: types, defaults, validation and docs. */
  public static ConfigDef definition() {
    return new ConfigDef()
        .include(ConnectionKeys.definition())
        .define(
            MANAGEMENT_PORT,
            ConfigDef.Type.INT,
            9091,
            (k, v) -> {
              if (((Number) v).intValue() != -1) {
                Validators.port().check(k, v);
              }
            },
            "Port of /healthz, /readyz and /metrics (0 picks a free port, -1 disables).")
        .define(
            DEPLOYMENT,
            ConfigDef.Type.STRING,
            ConfigDef.REQUIRED,
            (k, v) -> {
              try {
                io.sluice.schemas.Topics.checkName("deployment", v.toString());
              } catch (IllegalArgumentException e) {
                throw new io.sluice.common.config.ConfigException(k, v, e.getMessage());
              }
            },
            "The deployment served; consumes sluice.batches.<deployment> in group"
                + " sluice.fn.<deployment>. Set by --deployment.")
        .define(
            FUNCTION,
            ConfigDef.Type.STRING,
            "llm",
            Validators.nonEmpty(),
            "Name of the function to run (a FunctionProvider found by ServiceLoader): llm,"
                + " embeddings, preprocess, sentiment, summarize, or your own from "
                + FUNCTION_PATH
                + ".")
        .define(
            FUNCTION_PATH,
            ConfigDef.Type.STRING,
            "",
            "Where your own functions are loaded from, besides Sluice's: jars, directories of jars"
                + " or class directories, separated by the path separator (':'; ';' on Windows),"
                + " each holding a FunctionProvider in"
                + " META-INF/services/io.sluice.functions.FunctionProvider. Set by --functions.")
        .define(
            BACKEND_URL,
            ConfigDef.Type.STRING,
            "http://localhost:8000",
            Validators.nonEmpty(),
            "Base URL of the model backend (the vLLM sidecar).")
        .define(
            BACKEND_API_KEY, ConfigDef.Type.PASSWORD, "", "API key sent to the backend, if any.")
        .define(
            BACKEND_TIMEOUT_MS,
            ConfigDef.Type.INT,
            120000,
            Validators.atLeast(1),
            "Whole-call timeout of one backend call.")
        .define(
            MODEL,
            ConfigDef.Type.STRING,
            "",
            "Model name sent to the backend (empty: backend default).")
        .define(
            MAX_CONCURRENT_BATCHES,
            ConfigDef.Type.INT,
            4,
            Validators.atLeast(1),
            "Batches processed at once per worker; partitions are paused while full. Not used"
                + " when "
                + MAX_ONGOING_REQUESTS
                + " is set.")
        .define(
            MAX_ONGOING_REQUESTS,
            ConfigDef.Type.INT,
            0,
            Validators.atLeast(0),
            "Requests processed at once per worker, a batch counting the requests it holds (the"
                + " manifest's maxOngoingRequests); BULK batches leave room for "
                + MAX_BATCH_SIZE
                + " interactive requests. 0: count batches ("
                + MAX_CONCURRENT_BATCHES
                + ").")
        .define(
            MAX_BATCH_SIZE,
            ConfigDef.Type.INT,
            0,
            Validators.atLeast(0),
            "The deployment's batching.maxBatchSize, used with "
                + MAX_ONGOING_REQUESTS
                + ": the room kept for interactive requests, and what a batch without a"
                + " sluice-batch-size header counts (0: not known, 1).")
        .define(
            DELIVERY,
            ConfigDef.Type.STRING,
            AT_LEAST_ONCE,
            Validators.oneOf(AT_LEAST_ONCE, EXACTLY_ONCE),
            "at-least-once (offsets committed after replies are acked) or exactly-once"
                + " (replies and offsets in one Kafka transaction).")
        .define(
            INSTANCE_ID,
            ConfigDef.Type.STRING,
            "",
            "Static group membership id (group.instance.id), e.g. the pod name; empty for"
                + " dynamic membership.")
        .define(
            DRAIN_SECONDS,
            ConfigDef.Type.INT,
            30,
            Validators.atLeast(0),
            "Seconds a graceful shutdown waits for in-flight batches before leaving the group.")
        .define(
            RETRY_MAX_ATTEMPTS,
            ConfigDef.Type.INT,
            3,
            Validators.atLeast(1),
            "Tries per item (first included) for retriable failures.")
        .define(
            RETRY_INITIAL_MS,
            ConfigDef.Type.INT,
            200,
            Validators.atLeast(0),
            "Backoff before the first retry; doubles per retry, with jitter.")
        .define(
            RETRY_MAX_MS,
            ConfigDef.Type.INT,
            5000,
            Validators.atLeast(0),
            "Upper bound of one backoff.")
        .allowPrefix(FUNCTION_PREFIX)
        .allowKafkaPrefix(CONSUMER_PREFIX)
        .allowKafkaPrefix(PRODUCER_PREFIX);
  }

  /** The typed settings of validated configuration. */
  public static WorkerConfig from(SluiceConfig c) {
    int initial = c.getInt(RETRY_INITIAL_MS);
    int max = Math.max(initial, c.getInt(RETRY_MAX_MS));
    return new WorkerConfig(
        c.getString(DEPLOYMENT),
        c.getString(FUNCTION),
        FunctionRegistry.parsePath(c.getString(FUNCTION_PATH)),
        c.getString(BOOTSTRAP_SERVERS),
        c.getString(SCHEMA_REGISTRY_URL),
        c.getInt(MANAGEMENT_PORT),
        c.getString(BACKEND_URL),
        c.getString(BACKEND_API_KEY),
        c.getString(MODEL),
        c.getInt(MAX_CONCURRENT_BATCHES),
        c.getInt(MAX_ONGOING_REQUESTS),
        c.getInt(MAX_BATCH_SIZE),
        EXACTLY_ONCE.equals(c.getString(DELIVERY)),
        c.getString(INSTANCE_ID),
        Duration.ofSeconds(c.getInt(DRAIN_SECONDS)),
        new Backoff(
            c.getInt(RETRY_MAX_ATTEMPTS), Duration.ofMillis(initial), Duration.ofMillis(max)),
        Duration.ofMillis(c.getInt(BACKEND_TIMEOUT_MS)),
        c.withPrefix(FUNCTION_PREFIX),
        c.withPrefix(CONSUMER_PREFIX),
        c.withPrefix(PRODUCER_PREFIX),
        ConnectionKeys.groupSettings(c),
        ConnectionKeys.producerSettings(c),
        c.getInt(ConnectionKeys.MAX_MESSAGE_BYTES),
        ConnectionKeys.clientSettings(c),
        ConnectionKeys.registrySettings(c));
  }

  /**
   * What one worker runs at once: requests when {@code maxOngoingRequests} is set, else batches.
   */
  io.sluice.functions.internal.runtime.Concurrency concurrency() {
    return maxOngoingRequests > 0
        ? io.sluice.functions.internal.runtime.Concurrency.requests(
            maxOngoingRequests, maxBatchSize)
        : io.sluice.functions.internal.runtime.Concurrency.batches(maxConcurrentBatches);
  }

  /** Parses raw key/values (tests, the dev stack) with the worker's definition. */
  public static WorkerConfig of(Map<String, String> raw) {
    return from(definition().parse(raw));
  }

  @Override
  public String toString() {
    return "WorkerConfig[deployment="
        + deployment
        + ", function="
        + function
        + (functionPath.isEmpty() ? "" : ", functionPath=" + functionPath)
        + ", bootstrapServers="
        + bootstrapServers
        + ", schemaRegistryUrl="
        + schemaRegistryUrl
        + ", backendUrl="
        + backendUrl
        + ", backendApiKey="
        + (backendApiKey.isEmpty() ? "" : "[redacted]")
        + (maxOngoingRequests > 0
            ? ", maxOngoingRequests=" + maxOngoingRequests + ", maxBatchSize=" + maxBatchSize
            : ", maxConcurrentBatches=" + maxConcurrentBatches)
        + ", exactlyOnce="
        + exactlyOnce
        + ", drain="
        + drain
        + ", retry="
        + retry
        + "]";
  }
}
