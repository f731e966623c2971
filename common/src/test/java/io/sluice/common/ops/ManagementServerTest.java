package io.sluice.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ManagementServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesHealthReadinessAndPrometheusMetrics() throws Exception {
    PrometheusMeterRegistry registry = Metrics.newRegistry("test");
    registry.counter("sluice_things_total").increment(3);
    AtomicBoolean ready = new AtomicBoolean(false);
    try (ManagementServer server =
        ManagementServer.start(
            "127.0.0.1",
            0,
            registry,
            () -> Health.up(Map.of()),
            () ->
                ready.get()
                    ? Health.up(Map.of("state", "RUNNING"))
                    : Health.down(Map.of("state", "REBALANCING")))) {
      assertThat(get(server.port(), "/healthz").statusCode()).isEqualTo(200);
      HttpResponse<String> notReady = get(server.port(), "/readyz");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).contains("\"status\":\"DOWN\"").contains("REBALANCING");
      ready.set(true);
      assertThat(get(server.port(), "/readyz").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = get(server.port(), "/metrics");
      assertThat(metrics.body())
          .contains("sluice_things_total{component=\"test\"} 3.0")
          .contains("jvm_memory_used_bytes");
      assertThat(get(server.port(), "/nope").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void shutdownClosesPartsInReverseOrderOnce() throws Exception {
    List<String> closed = new ArrayList<>();
    GracefulShutdown s = GracefulShutdown.manual("t");
    s.register("first", () -> closed.add("first"));
    s.register("second", () -> closed.add("second"));
    s.register(
        "broken",
        () -> {
          throw new IllegalStateException("boom");
        });
    s.close();
    s.close();
    assertThat(closed).containsExactly("second", "first");
    assertThat(s.await(java.time.Duration.ofSeconds(1))).isTrue();
  }
}
