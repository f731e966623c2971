package io.sluice.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class BrokerSettingsTest {

  @Test
  void singleNodeSettingsAllowGroupsAndTransactions() {
    Properties props = BrokerSettings.build(Path.of("/tmp/k"), "localhost", 9092, 9093, Map.of());

    assertThat(props)
        .containsEntry("process.roles", "broker,controller")
        .containsEntry("offsets.topic.replication.factor", "1")
        .containsEntry("transaction.state.log.replication.factor", "1")
        .containsEntry("transaction.state.log.min.isr", "1")
        .containsEntry("group.initial.rebalance.delay.ms", "0")
        .containsEntry("controller.quorum.voters", "1@localhost:9093")
        .containsEntry("advertised.listeners", "PLAINTEXT://localhost:9092")
        .containsEntry("log.dirs", "/tmp/k");
  }

  @Test
  void extraPropertiesOverrideDefaults() {
    Properties props =
        BrokerSettings.build(
            Path.of("/tmp/k"), "localhost", 0, 1, Map.of("num.partitions", "3", "x.y", "z"));

    assertThat(props).containsEntry("num.partitions", "3").containsEntry("x.y", "z");
  }
}
