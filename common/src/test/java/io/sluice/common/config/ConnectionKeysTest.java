package io.sluice.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionKeysTest {
  private final ConfigDef def =
      new ConfigDef()
          .include(ConnectionKeys.definition())
          .allowKafkaPrefix("sluice.kafka.consumer.");

  private SluiceConfig load(Map<String, String> env, Map<String, String> flags) {
    return ConfigLoader.load(def, null, env, flags);
  }

  @Test
  void environmentVariablesUnderTheClientPrefixBecomeDottedKafkaProperties() {
    SluiceConfig c =
        load(
            Map.of(
                "SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "SLUICE_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION", "/etc/ca.p12",
                "SLUICE_KAFKA_CONSUMER_MAX_POLL_RECORDS", "7",
                "SLUICE_KAFKA_BOOTSTRAP_SERVERS", "broker:9093",
                "PATH", "/usr/bin"),
            Map.of());

    Map<String, Object> settings = ConnectionKeys.clientSettings(c);

    assertThat(settings)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.location", "/etc/ca.p12")
        .containsEntry("bootstrap.servers", "broker:9093")
        .doesNotContainKey("max.poll.records");
    assertThat(c.withPrefix("sluice.kafka.consumer.")).containsEntry("max.poll.records", "7");
  }

  @Test
  void aFlagWinsOverTheEnvironmentForAClientProperty() {
    SluiceConfig c =
        load(
            Map.of("SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"),
            Map.of("sluice.kafka.client.security.protocol", "SSL"));

    assertThat(ConnectionKeys.clientSettings(c)).containsEntry("security.protocol", "SSL");
  }

  @Test
  void usernameAndPasswordBuildTheJaasLineOfTheMechanism() {
    SluiceConfig c =
        load(
            Map.of(
                "SLUICE_KAFKA_SASL_USERNAME", "alice",
                "SLUICE_KAFKA_SASL_PASSWORD", "p\"w",
                "SLUICE_KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512"),
            Map.of());

    assertThat(ConnectionKeys.clientSettings(c))
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"alice\" password=\"p\\\"w\";");
    assertThat(ConnectionKeys.jaasConfig("PLAIN", "bob", "x"))
        .isEqualTo(
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"bob\" password=\"x\";");
  }

  @Test
  void anExplicitJaasLineIsKept() {
    SluiceConfig c =
        load(
            Map.of(),
            Map.of(
                ConnectionKeys.SASL_USERNAME,
                "alice",
                ConnectionKeys.SASL_PASSWORD,
                "secret",
                "sluice.kafka.client.sasl.mechanism",
                "SCRAM-SHA-256",
                "sluice.kafka.client.sasl.jaas.config",
                "custom;"));

    assertThat(ConnectionKeys.clientSettings(c)).containsEntry("sasl.jaas.config", "custom;");
  }

  @Test
  void incompleteOrUnsupportedSaslSettingsNameTheKey() {
    assertThatThrownBy(
            () ->
                ConnectionKeys.clientSettings(
                    load(Map.of(), Map.of(ConnectionKeys.SASL_USERNAME, "alice"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(ConnectionKeys.SASL_PASSWORD);
    assertThatThrownBy(
            () ->
                ConnectionKeys.clientSettings(
                    load(
                        Map.of(),
                        Map.of(
                            ConnectionKeys.SASL_USERNAME,
                            "alice",
                            ConnectionKeys.SASL_PASSWORD,
                            "pw",
                            "sluice.kafka.client.sasl.mechanism",
                            "GSSAPI"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sluice.kafka.client.sasl.mechanism")
        .hasMessageContaining("GSSAPI")
        .hasMessageNotContaining("pw");
  }

  @Test
  void secretsAreRedactedFromSettingsAndConfiguration() {
    SluiceConfig c =
        load(
            Map.of("SLUICE_KAFKA_CLIENT_SSL_KEYSTORE_PASSWORD", "ks-secret"),
            Map.of(
                ConnectionKeys.SASL_USERNAME,
                "alice",
                ConnectionKeys.SASL_PASSWORD,
                "sasl-secret",
                "sluice.kafka.client.sasl.mechanism",
                "PLAIN",
                ConnectionKeys.REGISTRY_BASIC_AUTH,
                "reg:reg-secret",
                ConnectionKeys.REGISTRY_TRUSTSTORE_PASSWORD,
                "ts-secret"));

    String printed =
        c
            + " "
            + ConnectionKeys.clientSettings(c)
            + " "
            + ConnectionKeys.registrySettings(c)
            + " "
            + def.toMarkdown();

    assertThat(printed)
        .contains("alice", "[redacted]")
        .doesNotContain("sasl-secret", "ks-secret", "reg-secret", "ts-secret");
    assertThat(ConnectionKeys.registrySettings(c))
        .containsEntry("basic.auth.user.info", "reg:reg-secret")
        .containsEntry("schema.registry.ssl.truststore.password", "ts-secret")
        .doesNotContainKey("schema.registry.ssl.truststore.location");
  }
}
