package io.sluice.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.schemas.Topics;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * /readyz says whether the bridge can do its job, not whether its HTTP server is up: with its
 * broker gone it goes DOWN (readers out of contact, nothing can be produced), and UP again once the
 * broker is back. Runs its own broker, since it stops it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReadinessIT {

  @Test
  void readyzGoesDownWhenKafkaIsGoneAndUpWhenItIsBack(@TempDir Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("kafka"));
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDirectory(data).build().start();
    int port = Integer.parseInt(broker.bootstrapServers().replaceAll(".*:", ""));
    try {
      broker.createTopics(Topics.ROUTES);
      Map<String, String> s = new HashMap<>();
      s.put(BridgeConfig.PORT, "0");
      s.put(BridgeConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
      s.put(BridgeConfig.SCHEMA_REGISTRY_URL, "mock://readiness-" + UUID.randomUUID());
      s.put(BridgeConfig.REPLY_PARTITIONS, "2");
      s.put(BridgeConfig.KAFKA_TIMEOUT_MS, "2000");
      HttpClient http = TestBridges.client();
      try (BridgeServer bridge = BridgeServer.start(BridgeConfig.of(s))) {
        Awaitility.await("ready")
            .atMost(Duration.ofSeconds(60))
            .until(() -> status(http, bridge) == 200);

        broker.close();
        Awaitility.await("DOWN without its broker")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> status(http, bridge) == 503);
        HttpResponse<String> down = TestBridges.get(http, bridge, "/readyz");
        assertThat(TestBridges.json(down).get("status").asText()).isEqualTo("DOWN");
        assertThat(TestBridges.get(http, bridge, "/healthz").statusCode()).isEqualTo(200);

        broker = EmbeddedKafkaBroker.builder().dataDirectory(data).port(port).build().start();
        Awaitility.await("UP again once the broker is back")
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> status(http, bridge) == 200);
      }
    } finally {
      broker.close();
    }
  }

  private static int status(HttpClient http, BridgeServer bridge) throws Exception {
    return TestBridges.get(http, bridge, "/readyz").statusCode();
  }
}
