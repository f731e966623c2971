package io.sluice.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.bridge.internal.ReplyListener;
import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeysAndConfigTest {

  @Test
  void apiKeysGiveEachKeyItsApps() {
    ApiKeys keys = ApiKeys.parse("k1=chat|sentiment, k2=*");
    assertThat(keys.size()).isEqualTo(2);
    assertThat(keys.lookup("k1").orElseThrow().allows("chat")).isTrue();
    assertThat(keys.lookup("k1").orElseThrow().allows("other")).isFalse();
    assertThat(keys.lookup("k2").orElseThrow().allows("anything")).isTrue();
    assertThat(keys.lookup("k3")).isEmpty();
    assertThat(keys.lookup(null)).isEmpty();
    assertThat(keys.toString()).doesNotContain("k1");
  }

  @Test
  void badApiKeyEntriesNameTheEntryNotTheKey() {
    assertThatThrownBy(() -> ApiKeys.parse("k1=chat,secret-key"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("entry 2")
        .hasMessageNotContaining("secret-key");
  }

  @Test
  void configIsLayeredFromTheEnvironmentWithHelmsNames() {
    BridgeConfig c =
        BridgeConfig.from(
            ConfigLoader.load(
                BridgeConfig.definition(),
                null,
                Map.of(
                    "SLUICE_BRIDGE_PORT", "9000",
                    "SLUICE_BRIDGE_AUTH_ENABLED", "true",
                    "SLUICE_BRIDGE_API_KEYS", "k=a"),
                Map.of(BridgeConfig.PORT, "9001")));
    assertThat(c.port()).isEqualTo(9001);
    assertThat(c.authEnabled()).isTrue();
    assertThat(c.apiKeys().lookup("k")).isPresent();
    assertThat(c.toString()).doesNotContain("k=a");
    assertThat(BridgeConfig.defaults().authEnabled()).isFalse();
    assertThat(BridgeConfig.definition().toMarkdown()).contains("SLUICE_BRIDGE_API_KEYS");
  }

  @Test
  void badValuesStopWithTheKeyNamed() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    BridgeConfig.definition(),
                    null,
                    Map.of("SLUICE_BRIDGE_PORT", "eighty"),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(BridgeConfig.PORT);
    assertThatThrownBy(
            () ->
                BridgeConfig.of(
                    Map.of(BridgeConfig.REPLICA_INDEX, "2", BridgeConfig.REPLICA_COUNT, "2")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(BridgeConfig.REPLICA_INDEX);
  }

  @Test
  void sharedKafkaSettingsAndInstanceIdReachTheClients() {
    BridgeConfig d = BridgeConfig.defaults();
    assertThat(d.instanceId()).isEmpty();
    assertThat(d.groupSettings())
        .containsEntry("session.timeout.ms", 6000)
        .containsEntry("heartbeat.interval.ms", 2000);
    assertThat(d.producerSettings()).containsEntry("max.request.size", 1024 * 1024);
    BridgeConfig c =
        BridgeConfig.of(
            Map.of(
                BridgeConfig.INSTANCE_ID,
                "dev",
                "sluice.kafka.session-timeout-ms",
                "9000",
                "sluice.kafka.max-message-bytes",
                "2097152"));
    assertThat(c.instanceId()).isEqualTo("dev");
    assertThat(c.groupSettings()).containsEntry("session.timeout.ms", 9000);
    assertThat(c.producerSettings()).containsEntry("max.request.size", 2097152);
  }

  @Test
  void staticReplicasSplitReplyPartitions() {
    assertThat(ReplyListener.ownedPartitions(8, 0, 3)).containsExactly(0, 3, 6);
    assertThat(ReplyListener.ownedPartitions(8, 2, 3)).containsExactly(2, 5);
  }
}
