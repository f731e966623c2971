package io.sluice.common.config;

/**
 * The keys every Sluice process that talks to Kafka and the Schema Registry shares, defined once so
 * router, worker and bridge read them alike. Include them with {@link ConfigDef#include}.
 */
public final class ConnectionKeys {
  public static final String BOOTSTRAP_SERVERS = "sluice.kafka.bootstrap-servers";
  public static final String SCHEMA_REGISTRY_URL = "sluice.schema-registry.url";

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
            "Schema Registry base URL(s), comma-separated (Confluent-compatible API).");
  }
}
