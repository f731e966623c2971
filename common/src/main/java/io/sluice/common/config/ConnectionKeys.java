package io.sluice.common.config;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The keys every Sluice process that talks to Kafka and the Schema Registry shares, defined once so
 * router, worker and bridge read them alike. Include them with {@link ConfigDef#include}.
 *
 * <p>Two of them exist so that no two parts can disagree:
 *
 * <ul>
 *   <li>{@link #MAX_MESSAGE_BYTES} is the one record-size limit. Every producer's {@code
 *       max.request.size} is set from it, the bridge derives its largest accepted body from it, the
 *       router splits micro-batches below it and rejects a single request over it, and a worker
 *       checks its replies against it. It must not exceed the broker's {@code message.max.bytes}
 *       (the dev stack's broker is started with it).
 *   <li>{@link #SESSION_TIMEOUT_MS} decides how soon a killed replica's partitions move to a live
 *       one: every consumer group (router, workers, bridge) uses it, with heartbeats at a third of
 *       it, so a SIGKILLed pod's work resumes within seconds rather than after Kafka's 45 s
 *       default.
 * </ul>
 *
 * <p>Security is set once for every Kafka client of every process (Kafka Streams, producers,
 * consumers, admin clients, the CLIs): any Kafka client property under {@link #CLIENT_PREFIX}
 * ({@code sluice.kafka.client.security.protocol=SASL_SSL}, {@code
 * sluice.kafka.client.ssl.truststore.location=...}), in a file, as {@code
 * SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL} or as {@code -D}; {@link #SASL_USERNAME} and {@link
 * #SASL_PASSWORD} build the JAAS line for the configured mechanism. {@link #clientSettings} is the
 * map every client construction starts from; {@link #registrySettings} does the same for the Schema
 * Registry client (basic auth, TLS trust store).
 */
public final class ConnectionKeys {
  public static final String BOOTSTRAP_SERVERS = "sluice.kafka.bootstrap-servers";
  public static final String SCHEMA_REGISTRY_URL = "sluice.schema-registry.url";
  public static final String MAX_MESSAGE_BYTES = "sluice.kafka.max-message-bytes";
  public static final String SESSION_TIMEOUT_MS = "sluice.kafka.session-timeout-ms";

  /** Kafka client properties under it are given to every Kafka client of every process. */
  public static final String CLIENT_PREFIX = "sluice.kafka.client.";

  public static final String SASL_USERNAME = "sluice.kafka.sasl.username";
  public static final String SASL_PASSWORD = "sluice.kafka.sasl.password";
  public static final String REGISTRY_BASIC_AUTH = "sluice.schema-registry.basic-auth-user-info";
  public static final String REGISTRY_TRUSTSTORE_LOCATION =
      "sluice.schema-registry.ssl.truststore.location";
  public static final String REGISTRY_TRUSTSTORE_PASSWORD =
      "sluice.schema-registry.ssl.truststore.password";

  /**
   * The Schema Registry client's property names (Confluent's), as {@code SerdeConfig} reads them.
   */
  public static final String SERDE_REGISTRY_URL = "schema.registry.url";

  public static final String SERDE_BASIC_AUTH = "basic.auth.user.info";
  public static final String SERDE_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String SERDE_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";

  private static final String JAAS = "sasl.jaas.config";
  private static final String MECHANISM = "sasl.mechanism";

  /** Kafka's own default for {@code max.request.size} and (almost) {@code message.max.bytes}. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

  /**
   * The broker's default {@code group.min.session.timeout.ms}: the lowest a client may ask for, and
   * still far above a heartbeat thread's worst pause.
   */
  public static final int DEFAULT_SESSION_TIMEOUT_MS = 6000;

  private ConnectionKeys() {}

  /** A definition holding just the shared connection keys. */
  public static ConfigDef definition() {
    return new ConfigDef()
        .define(
            BOOTSTRAP_SERVERS,
            ConfigDef.Type.STRING,
            "localhost:9092",
            Validators.nonEmpty(),
            "Kafka bootstrap servers.")
        .define(
            SCHEMA_REGISTRY_URL,
            ConfigDef.Type.STRING,
            "http://localhost:8081",
            Validators.nonEmpty(),
            "Schema Registry base URL(s), comma-separated (Confluent-compatible API).")
        .define(
            MAX_MESSAGE_BYTES,
            ConfigDef.Type.INT,
            DEFAULT_MAX_MESSAGE_BYTES,
            Validators.atLeast(64 * 1024),
            "The largest record any Sluice producer writes (its max.request.size). The bridge's"
                + " body limit, the router's batch byte limit and the worker's reply limit are"
                + " derived from it. Must not exceed the broker's message.max.bytes.")
        .define(
            SESSION_TIMEOUT_MS,
            ConfigDef.Type.INT,
            DEFAULT_SESSION_TIMEOUT_MS,
            Validators.atLeast(1000),
            "Consumer-group session timeout of every Sluice consumer (router, workers, bridge);"
                + " heartbeats go at a third of it. A killed replica's partitions move after"
                + " this long. The broker's group.min.session.timeout.ms (default 6000) bounds"
                + " it from below.")
        .define(
            SASL_USERNAME,
            ConfigDef.Type.STRING,
            null,
            "SASL user of every Kafka client. With "
                + SASL_PASSWORD
                + " and no "
                + CLIENT_PREFIX
                + JAAS
                + ", the JAAS line is built for "
                + CLIENT_PREFIX
                + MECHANISM
                + " (SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN).")
        .define(
            SASL_PASSWORD,
            ConfigDef.Type.PASSWORD,
            null,
            "SASL password of " + SASL_USERNAME + " (a secret: redacted from logs).")
        .define(
            REGISTRY_BASIC_AUTH,
            ConfigDef.Type.PASSWORD,
            null,
            "Schema Registry HTTP basic auth as user:password (a secret).")
        .define(
            REGISTRY_TRUSTSTORE_LOCATION,
            ConfigDef.Type.STRING,
            null,
            "Trust store (PKCS12, JKS, or PEM certificates: detected) the Schema Registry client verifies the registry's TLS"
                + " certificate with; unset: the JVM's default trust.")
        .define(
            REGISTRY_TRUSTSTORE_PASSWORD,
            ConfigDef.Type.PASSWORD,
            null,
            "Password of " + REGISTRY_TRUSTSTORE_LOCATION + " (a secret).")
        .allowKafkaPrefix(CLIENT_PREFIX);
  }

  /**
   * The settings every Kafka client of a process starts from (producer, consumer, admin, Kafka
   * Streams): {@code bootstrap.servers}, every {@code sluice.kafka.client.*} property, and the SASL
   * JAAS line built from {@link #SASL_USERNAME}/{@link #SASL_PASSWORD}. Its {@code toString()}
   * redacts secrets.
   *
   * @throws ConfigException naming the key when the SASL keys are incomplete or the mechanism has
   *     no username/password login module
   */
  public static Map<String, Object> clientSettings(SluiceConfig c) {
    Map<String, Object> out = new LinkedHashMap<>(c.withPrefix(CLIENT_PREFIX));
    out.put("bootstrap.servers", c.getString(BOOTSTRAP_SERVERS));
    String user = c.getString(SASL_USERNAME);
    String password = c.getString(SASL_PASSWORD);
    if (user != null || password != null) {
      if (user == null || user.isBlank()) {
        throw new ConfigException(
            "Missing configuration '" + SASL_USERNAME + "': " + SASL_PASSWORD + " is set");
      }
      if (password == null) {
        throw new ConfigException(
            "Missing configuration '" + SASL_PASSWORD + "': " + SASL_USERNAME + " is set");
      }
      if (!out.containsKey(JAAS)) {
        Object mechanism = out.get(MECHANISM);
        out.put(JAAS, jaasConfig(mechanism == null ? null : mechanism.toString(), user, password));
      }
    }
    return new Redacted(out);
  }

  /**
   * The JAAS line of a username/password SASL login.
   *
   * @throws ConfigException naming {@code sluice.kafka.client.sasl.mechanism} when the mechanism is
   *     not SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN
   */
  public static String jaasConfig(String mechanism, String user, String password) {
    String module;
    if ("SCRAM-SHA-256".equals(mechanism) || "SCRAM-SHA-512".equals(mechanism)) {
      module = "org.apache.kafka.common.security.scram.ScramLoginModule";
    } else if ("PLAIN".equals(mechanism)) {
      module = "org.apache.kafka.common.security.plain.PlainLoginModule";
    } else {
      throw new ConfigException(
          CLIENT_PREFIX + MECHANISM,
          mechanism,
          "with "
              + SASL_USERNAME
              + " and "
              + SASL_PASSWORD
              + " must be one of [SCRAM-SHA-256, SCRAM-SHA-512, PLAIN]; for another mechanism set "
              + CLIENT_PREFIX
              + JAAS);
    }
    return module
        + " required username=\""
        + jaasQuote(user)
        + "\" password=\""
        + jaasQuote(password)
        + "\";";
  }

  private static String jaasQuote(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /**
   * The Schema Registry client settings under Confluent's names ({@code schema.registry.url},
   * {@code basic.auth.user.info}, {@code schema.registry.ssl.truststore.*}), unset ones left out;
   * {@code SerdeConfig.from} reads them. Its {@code toString()} redacts secrets.
   */
  public static Map<String, Object> registrySettings(SluiceConfig c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(SERDE_REGISTRY_URL, c.getString(SCHEMA_REGISTRY_URL));
    putIfSet(out, SERDE_BASIC_AUTH, c.getString(REGISTRY_BASIC_AUTH));
    putIfSet(out, SERDE_TRUSTSTORE_LOCATION, c.getString(REGISTRY_TRUSTSTORE_LOCATION));
    putIfSet(out, SERDE_TRUSTSTORE_PASSWORD, c.getString(REGISTRY_TRUSTSTORE_PASSWORD));
    return new Redacted(out);
  }

  private static void putIfSet(Map<String, Object> out, String key, String value) {
    if (value != null && !value.isBlank()) {
      out.put(key, value);
    }
  }

  /**
   * A Kafka client failure told in terms of the keys to fix: a rejected SASL login names {@link
   * #SASL_USERNAME}/{@link #SASL_PASSWORD}, a failed TLS handshake the trust store keys. Any other
   * failure is returned as it is.
   */
  public static RuntimeException explain(RuntimeException failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String type = t.getClass().getName();
      if (type.equals("org.apache.kafka.common.errors.SaslAuthenticationException")) {
        return new ConfigException(
            "Kafka rejected the SASL login: check "
                + SASL_USERNAME
                + " and "
                + SASL_PASSWORD
                + " (or "
                + CLIENT_PREFIX
                + JAAS
                + ") and "
                + CLIENT_PREFIX
                + MECHANISM
                + ": "
                + t.getMessage(),
            failure);
      }
      if (type.equals("org.apache.kafka.common.errors.SslAuthenticationException")) {
        return new ConfigException(
            "The TLS handshake with Kafka failed: check "
                + CLIENT_PREFIX
                + "ssl.truststore.location and "
                + CLIENT_PREFIX
                + "ssl.truststore.password (and the key store, where the broker asks for one): "
                + t.getMessage(),
            failure);
      }
    }
    return failure;
  }

  /** Whether a client property holds a secret: a password, a JAAS line, basic-auth user info. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password")
        || k.endsWith(JAAS)
        || k.contains("user.info")
        || k.contains("user-info")
        || k.contains("secret");
  }

  /** A map of client settings whose values are printed as [redacted] where they are secrets. */
  public static String redacted(Map<String, ?> settings) {
    StringBuilder sb = new StringBuilder("{");
    settings.forEach(
        (k, v) ->
            sb.append(sb.length() > 1 ? ", " : "")
                .append(k)
                .append('=')
                .append(isSecret(k) && v != null ? "[redacted]" : v));
    return sb.append('}').toString();
  }

  /** Unmodifiable settings that never print a secret. */
  private static final class Redacted extends AbstractMap<String, Object> {
    private final Map<String, Object> map;

    Redacted(Map<String, Object> map) {
      this.map = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return map.entrySet();
    }

    @Override
    public Object get(Object key) {
      return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public String toString() {
      return redacted(map);
    }
  }

  /** The producer settings every Sluice producer takes from the shared keys. */
  public static Map<String, Object> producerSettings(SluiceConfig c) {
    return Map.of("max.request.size", c.getInt(MAX_MESSAGE_BYTES));
  }

  /** The consumer-group settings every Sluice consumer takes from the shared keys. */
  public static Map<String, Object> groupSettings(SluiceConfig c) {
    int session = c.getInt(SESSION_TIMEOUT_MS);
    return Map.of(
        "session.timeout.ms", session, "heartbeat.interval.ms", Math.max(100, session / 3));
  }
}
