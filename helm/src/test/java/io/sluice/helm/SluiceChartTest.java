package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chart-wide settings (router, bridge, Kafka, registry, auth, monitoring), rendered with real
 * Helm (helm-java's native library). What the chart renders from the manifest is in {@link
 * ManifestChartTest} and {@link SluiceChartDerivationTest}.
 */
class SluiceChartTest {

  private static final String ADDRESSES =
      """
      kafka:
        bootstrapServers: "broker-0.kafka:9092,broker-1.kafka:9092"
      schemaRegistry:
        url: "http://registry.example:8081"
      """;

  @TempDir Path dir;

  private Rendered render(String values) {
    return Chart.template(dir, values);
  }

  private Rendered renderExample(String values) {
    return Chart.template(dir, values, Chart.EXAMPLE);
  }

  @Test
  void everySluiceContainerRunsTheImageTheBuildMakesByDefault() {
    Rendered r = renderExample(ADDRESSES);

    // router, bridge, every worker and the apply Job: image/ builds ghcr.io/sluice/sluice:<pom
    // version>, so a fresh install pulls what the project built, not a tag nothing produces.
    List<String> images = new ArrayList<>();
    for (String kind : List.of("Deployment", "Job")) {
      for (JsonNode workload : r.ofKind(kind)) {
        for (JsonNode c : Rendered.podSpec(workload).path("containers")) {
          if (!"vllm".equals(c.path("name").asText())) {
            images.add(c.path("image").asText());
          }
        }
      }
    }
    assertThat(images).hasSizeGreaterThan(3).containsOnly(Chart.defaultImage());
    assertThat(Chart.projectVersion()).isNotBlank().doesNotContain("$");
  }

  @Test
  void lintIsClean() {
    LintResult result = new Helm(Chart.DIR).lint().strict().call();

    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void withoutAManifestOnlyTheRouterTheBridgeAndTheDashboardAreInstalledWithAuthOn() {
    Rendered r = render("{}");

    assertThat(r.names())
        .containsExactlyInAnyOrder(
            "ConfigMap/sluice-config",
            "ConfigMap/sluice-dashboards",
            "Deployment/sluice-router",
            "Service/sluice-router",
            "Deployment/sluice-bridge",
            "Service/sluice-bridge");
    // Auth is on by default; with no keys given the Secret is a pre-install hook (a random key
    // made once), which helm template leaves out of its output.
    JsonNode bridge = Rendered.container(r.get("Deployment", "sluice-bridge"), "bridge");
    assertThat(
            Rendered.env(bridge, "SLUICE_BRIDGE_AUTH_ENABLED").orElseThrow().path("value").asText())
        .isEqualTo("true");
    assertThat(
            Rendered.env(bridge, "SLUICE_BRIDGE_API_KEYS")
                .orElseThrow()
                .path("valueFrom")
                .path("secretKeyRef")
                .path("name")
                .asText())
        .isEqualTo("sluice-bridge-api-keys");
    JsonNode router = Rendered.container(r.get("Deployment", "sluice-router"), "router");
    assertThat(Rendered.args(router)).containsExactly("router");
    assertThat(router.path("env").toString())
        .contains("SLUICE_ROUTER_STATE_DIR")
        .contains("/var/lib/sluice/router-state");
    assertThat(router.path("volumeMounts").get(0).path("mountPath").asText())
        .isEqualTo("/var/lib/sluice/router-state");
    assertThat(render("manifest: \"\"\n").names()).isEqualTo(r.names());
  }

  @ParameterizedTest(name = "{0}/{1} probes on port {2}")
  @CsvSource({
    "sluice-router, router, management, 9090",
    "sluice-worker-sentiment, worker, management, 9091",
    "sluice-bridge, bridge, http, 8080",
  })
  void probesHitHealthzAndReadyzOnTheManagementPort(
      String deployment, String container, String portName, int port) {
    JsonNode c = Rendered.container(renderExample("{}").get("Deployment", deployment), container);

    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(c.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo(portName);
    JsonNode declared = c.path("ports").get(0);
    assertThat(declared.path("name").asText()).isEqualTo(portName);
    assertThat(declared.path("containerPort").asInt()).isEqualTo(port);
  }

  @Test
  void configMapCarriesKafkaAndRegistryAddressesAsContractEnvForEveryProcess() {
    Rendered r = renderExample(ADDRESSES + "config:\n  sluice.router.max-wait-ms: 20\n");

    JsonNode data = r.get("ConfigMap", "sluice-config").path("data");
    assertThat(data.path("SLUICE_KAFKA_BOOTSTRAP_SERVERS").asText())
        .isEqualTo("broker-0.kafka:9092,broker-1.kafka:9092");
    assertThat(data.path("SLUICE_SCHEMA_REGISTRY_URL").asText())
        .isEqualTo("http://registry.example:8081");
    assertThat(data.path("SLUICE_ROUTER_MAX_WAIT_MS").asText()).isEqualTo("20");
    for (String[] workload :
        new String[][] {
          {"sluice-router", "router"},
          {"sluice-bridge", "bridge"},
          {"sluice-worker-chat-a", "worker"}
        }) {
      JsonNode c = Rendered.container(r.get("Deployment", workload[0]), workload[1]);
      assertThat(c.path("envFrom").get(0).path("configMapRef").path("name").asText())
          .as(workload[0])
          .isEqualTo("sluice-config");
    }
    assertThat(
            r.get("ScaledObject", "sluice-worker-chat-a")
                .path("spec")
                .path("triggers")
                .get(0)
                .path("metadata")
                .path("bootstrapServers")
                .asText())
        .isEqualTo("broker-0.kafka:9092,broker-1.kafka:9092");
  }

  @Test
  void bridgeAuthIsOnByDefaultWithKeysFromASecret() {
    Rendered r = render("bridge:\n  auth:\n    apiKeys: [\"sk-test-0123456789abcdef\"]\n");

    JsonNode bridge = Rendered.container(r.get("Deployment", "sluice-bridge"), "bridge");
    assertThat(
            Rendered.env(bridge, "SLUICE_BRIDGE_AUTH_ENABLED").orElseThrow().path("value").asText())
        .isEqualTo("true");
    JsonNode ref =
        Rendered.env(bridge, "SLUICE_BRIDGE_API_KEYS")
            .orElseThrow()
            .path("valueFrom")
            .path("secretKeyRef");
    assertThat(ref.path("name").asText()).isEqualTo("sluice-bridge-api-keys");
    String encoded =
        r.get("Secret", "sluice-bridge-api-keys").path("data").path("api-keys").asText();
    assertThat(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8))
        .isEqualTo("sk-test-0123456789abcdef");
  }

  @Test
  void serviceMonitorIsOptionalAndScrapesEveryComponent() {
    Rendered r = renderExample("serviceMonitor:\n  enabled: true\n");

    JsonNode sm = r.get("ServiceMonitor", "sluice");
    assertThat(sm.path("spec").path("endpoints").toString())
        .contains("management", "http", "/metrics");
    assertThat(r.names())
        .contains(
            "Service/sluice-router",
            "Service/sluice-worker-chat-a",
            "Service/sluice-worker-sentiment");
    assertThat(renderExample("{}").ofKind("ServiceMonitor")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown top-level field | replicaCount: 3",
        "the removed deployments | 'deployments: {chat: {partitions: 4}}'",
        "the removed scalingDefaults | 'scalingDefaults: {lagThreshold: 5}'",
        "a per-deployment key at chart level | 'worker: {drainSeconds: 30}'",
        "registry URL without scheme | 'schemaRegistry: {url: registry:8081}'",
        "bad bootstrap servers | 'kafka: {bootstrapServers: broker}'",
        "manifest neither text nor a document | 'manifest: [a, b]'",
        "an object manifest without deployments | 'manifest: {apiVersion: sluice.io/v1, apps: {}}'",
        "an object manifest of another version | 'manifest: {apiVersion: sluice.io/v2}'",
      })
  void badValuesFailWithASchemaError(String name, String values) {
    assertThatThrownBy(() -> render(values))
        .hasMessageContaining("values don't meet the specifications of the schema");
  }
}
