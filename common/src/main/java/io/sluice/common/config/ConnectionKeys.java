package io.sluice.common.config;

import java.util.Map;

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
 */
public final class ConnectionKeys {
  public static final String BOOTSTRAP_SERVERS = "sluice.kafka.bootstrap-servers";
  public static final String SCHEMA_REGISTRY_URL = "sluice.schema-registry.url";
  public static final String MAX_MESSAGE_BYTES = "sluice.kafka.max-message-bytes";
  public static final String SESSION_TIMEOUT_MS = "sluice.kafka.session-timeout-ms";

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
                + " it from below.");
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
