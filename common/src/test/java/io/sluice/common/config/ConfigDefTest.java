package io.sluice.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDefTest {
  private final ConfigDef def =
      new ConfigDef()
          .define(
              "sluice.kafka.bootstrap-servers", ConfigDef.Type.STRING, "localhost:9092", "Kafka.")
          .define("sluice.router.threads", ConfigDef.Type.INT, 2, Validators.atLeast(1), "Threads.")
          .define(
              "sluice.router.guarantee",
              ConfigDef.Type.STRING,
              "at_least_once",
              Validators.oneOf("at_least_once", "exactly_once_v2"),
              "Guarantee.")
          .define("sluice.bridge.api-keys", ConfigDef.Type.PASSWORD, null, "Keys.")
          .define("sluice.required", ConfigDef.Type.STRING, ConfigDef.REQUIRED, "Must be set.")
          .allowPrefix("sluice.kafka.producer.");

  @TempDir Path tmp;

  @Test
  void fileIsOverriddenByEnvironmentWhichIsOverriddenByFlags() throws IOException {
    Path file = tmp.resolve("router.yaml");
    Files.writeString(
        file,
        "sluice:\n  router:\n    threads: 3\n    guarantee: exactly_once_v2\n  required: x\n");
    SluiceConfig c =
        ConfigLoader.load(
            def,
            file,
            Map.of("SLUICE_ROUTER_THREADS", "4", "SLUICE_KAFKA_BOOTSTRAP_SERVERS", "k:1"),
            Map.of("sluice.kafka.bootstrap-servers", "k:2"));
    assertThat(c.getInt("sluice.router.threads")).isEqualTo(4);
    assertThat(c.getString("sluice.router.guarantee")).isEqualTo("exactly_once_v2");
    assertThat(c.getString("sluice.kafka.bootstrap-servers")).isEqualTo("k:2");
  }

  @Test
  void badValuesNameTheKeyTheValueAndWhatIsAllowed() {
    assertThatThrownBy(
            () -> def.parse(Map.of("sluice.required", "x", "sluice.router.threads", "zero")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sluice.router.threads")
        .hasMessageContaining("'zero'")
        .hasMessageContaining("int");
    assertThatThrownBy(
            () -> def.parse(Map.of("sluice.required", "x", "sluice.router.threads", "0")))
        .hasMessageContaining("at least 1");
    assertThatThrownBy(
            () -> def.parse(Map.of("sluice.required", "x", "sluice.router.guarantee", "maybe")))
        .hasMessageContaining("[at_least_once, exactly_once_v2]");
  }

  @Test
  void unknownAndMissingKeysStopStartUp() {
    assertThatThrownBy(() -> def.parse(Map.of("sluice.required", "x", "sluice.routr.threads", "1")))
        .hasMessageContaining("sluice.routr.threads");
    assertThatThrownBy(() -> def.parse(Map.of()))
        .hasMessageContaining("sluice.required")
        .hasMessageContaining("SLUICE_REQUIRED");
  }

  @Test
  void passThroughPrefixesAndSecretsAreRedacted() {
    SluiceConfig c =
        def.parse(
            Map.of(
                "sluice.required", "x",
                "sluice.bridge.api-keys", "k1=chat",
                "sluice.kafka.producer.sasl.jaas.config", "secret-jaas",
                "sluice.kafka.producer.linger.ms", "5"));
    assertThat(c.withPrefix("sluice.kafka.producer."))
        .containsEntry("linger.ms", "5")
        .containsEntry("sasl.jaas.config", "secret-jaas");
    assertThat(c.toString())
        .doesNotContain("k1=chat")
        .doesNotContain("secret-jaas")
        .contains("linger.ms=5");
    assertThat(c.getString("sluice.bridge.api-keys")).isEqualTo("k1=chat");
  }

  @Test
  void referenceDocsAreGeneratedFromTheDefinitions() {
    assertThat(def.toMarkdown())
        .contains("| `sluice.router.threads` | `SLUICE_ROUTER_THREADS` | int | `2` | Threads. |")
        .contains("(required)");
  }
}
