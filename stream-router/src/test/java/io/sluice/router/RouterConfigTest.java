package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.config.SluiceConfig;
import io.sluice.router.topology.TopologySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterConfigTest {
  @Test
  void defaultsAndLayering() {
    SluiceConfig c =
        ConfigLoader.load(
            RouterConfig.definition(),
            null,
            Map.of("SLUICE_ROUTER_MAX_WAIT_MS", "20", "SLUICE_ROUTER_MAX_BATCH_SIZE", "4"),
            Map.of("sluice.router.max-batch-size", "16", "sluice.router.streams.linger.ms", "5"));
    TopologySettings s = RouterConfig.from(c).topology();
    assertThat(s.defaultLimits().maxWaitMs()).isEqualTo(20);
    assertThat(s.defaultLimits().maxBatchSize()).isEqualTo(16);
    assertThat(s.defaultLimits().maxBatchTokens()).isNull();
    assertThat(c.getString(RouterConfig.APPLICATION_ID)).isEqualTo("sluice-router");
    var props = RouterApp.streamsProperties(RouterConfig.from(c));
    assertThat(props.get("processing.guarantee")).isEqualTo("at_least_once");
    assertThat(props.get("linger.ms")).isEqualTo("5");
    // poll.ms follows the punctuation interval (default 1 ms), so a quiet topic still flushes on
    // time.
    assertThat(props.get("poll.ms")).isEqualTo(1L);
    // The shared keys reach the group member and the producer; dynamic membership by default.
    assertThat(props.get("main.consumer.session.timeout.ms")).isEqualTo(6000);
    assertThat(props.get("main.consumer.heartbeat.interval.ms")).isEqualTo(2000);
    assertThat(props.get("producer.max.request.size")).isEqualTo(1024 * 1024);
    assertThat(props).doesNotContainKey("main.consumer.group.instance.id");
  }

  @Test
  void anInstanceIdMakesTheMembershipStatic() {
    SluiceConfig c =
        ConfigLoader.load(
            RouterConfig.definition(),
            null,
            Map.of(),
            Map.of(
                RouterConfig.INSTANCE_ID, "router-0", "sluice.kafka.max-message-bytes", "2097152"));
    var props = RouterApp.streamsProperties(RouterConfig.from(c));
    assertThat(props.get("main.consumer.group.instance.id")).isEqualTo("router-0");
    assertThat(props.get("producer.max.request.size")).isEqualTo(2097152);
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    RouterConfig.definition(),
                    null,
                    Map.of(),
                    Map.of(RouterConfig.INSTANCE_ID, "router 0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(RouterConfig.INSTANCE_ID);
  }

  @Test
  void aBadValueNamesTheKeyTheValueAndWhatIsAllowed() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    RouterConfig.definition(),
                    null,
                    Map.of(),
                    Map.of("sluice.router.processing-guarantee", "exactly_once")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sluice.router.processing-guarantee")
        .hasMessageContaining("exactly_once")
        .hasMessageContaining("exactly_once_v2");
  }

  @Test
  void theReadmeDocumentsEveryKey() throws IOException {
    String table = RouterConfig.definition().toMarkdown();
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/config-keys.md"), table);
    assertThat(Files.readString(Path.of("README.md")))
        .as("stream-router/README.md must contain the generated table (target/config-keys.md)")
        .contains(table);
  }
}
