package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Renders the chart with real Helm (helm-java's native library) and checks the manifests. */
class SluiceChartTest {

  private static final Path CHART = Path.of("sluice");
  private static final String RELEASE = "sluice";

  /** Two deployments: a GPU LLM one and a CPU embedding one with its own scaling. */
  private static final String TWO_DEPLOYMENTS =
      """
      kafka:
        bootstrapServers: "broker-0.kafka:9092,broker-1.kafka:9092"
      schemaRegistry:
        url: "http://registry.example:8081"
      worker:
        drainSeconds: 45
      deployments:
        chat:
          partitions: 8
          gpu:
            enabled: true
            count: 2
            model: Qwen/Qwen2.5-7B-Instruct
          scaling:
            lagThreshold: 5
            minReplicaCount: 0
            maxReplicaCount: 8
            behavior:
              scaleDown:
                stabilizationWindowSeconds: 60
        embed:
          partitions: 4
          backendUrl: "http://embedder.ml:9000"
          scaling:
            minReplicaCount: 1
            maxReplicaCount: 4
      """;

  @TempDir Path dir;

  private Rendered render(String values) throws IOException {
    Path file = Files.writeString(dir.resolve("values-" + values.hashCode() + ".yaml"), values);
    return Rendered.parse(
        new Helm(CHART)
            .template()
            .withName(RELEASE)
            .withNamespace("ml")
            .withValuesFile(file)
            .call());
  }

  @Test
  void lintIsClean() {
    LintResult result = new Helm(CHART).lint().strict().call();

    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void defaultValuesRenderRouterAndBridgeWithAuthOn() throws IOException {
    Rendered r = render("{}");

    assertThat(r.names())
        .contains(
            "Deployment/sluice-router",
            "Deployment/sluice-bridge",
            "Service/sluice-bridge",
            "ConfigMap/sluice-config");
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
    assertThat(r.ofKind("ScaledObject")).isEmpty();
    assertThat(r.ofKind("ServiceMonitor")).isEmpty();
    assertThat(
            Rendered.container(r.get("Deployment", "sluice-router"), "router")
                .path("args")
                .toString())
        .isEqualTo("[\"router\"]");
    JsonNode routerContainer = Rendered.container(r.get("Deployment", "sluice-router"), "router");
    assertThat(routerContainer.path("env").toString())
        .contains("SLUICE_ROUTER_STATE_DIR")
        .contains("/var/lib/sluice/router-state");
    assertThat(routerContainer.path("volumeMounts").get(0).path("mountPath").asText())
        .isEqualTo("/var/lib/sluice/router-state");
  }

  @Test
  void oneScaledObjectPerDeploymentWithItsThresholdsAndNames() throws IOException {
    Rendered r = render(TWO_DEPLOYMENTS);

    assertThat(r.ofKind("ScaledObject")).hasSize(2);
    JsonNode chat = r.get("ScaledObject", "sluice-worker-chat").path("spec");
    assertThat(chat.path("scaleTargetRef").path("name").asText()).isEqualTo("sluice-worker-chat");
    assertThat(chat.path("minReplicaCount").asInt()).isZero();
    assertThat(chat.path("maxReplicaCount").asInt()).isEqualTo(8);
    assertThat(chat.path("cooldownPeriod").asInt()).isEqualTo(300);
    assertThat(chat.path("pollingInterval").asInt()).isEqualTo(30);
    JsonNode trigger = chat.path("triggers").get(0);
    assertThat(trigger.path("type").asText()).isEqualTo("kafka");
    JsonNode meta = trigger.path("metadata");
    assertThat(meta.path("bootstrapServers").asText())
        .isEqualTo("broker-0.kafka:9092,broker-1.kafka:9092");
    assertThat(meta.path("consumerGroup").asText()).isEqualTo("sluice.fn.chat");
    assertThat(meta.path("topic").asText()).isEqualTo("sluice.batches.chat");
    assertThat(meta.path("lagThreshold").asText()).isEqualTo("5");
    assertThat(meta.path("activationLagThreshold").asText()).isEqualTo("0");
    assertThat(meta.path("offsetResetPolicy").asText()).isEqualTo("earliest");
    assertThat(meta.path("allowIdleConsumers").asText()).isEqualTo("false");
    assertThat(
            chat.path("advanced")
                .path("horizontalPodAutoscalerConfig")
                .path("behavior")
                .path("scaleDown")
                .path("stabilizationWindowSeconds")
                .asInt())
        .isEqualTo(60);
    assertThat(trigger.has("authenticationRef")).isFalse();

    JsonNode embed = r.get("ScaledObject", "sluice-worker-embed").path("spec");
    assertThat(embed.path("minReplicaCount").asInt()).isEqualTo(1);
    assertThat(embed.path("maxReplicaCount").asInt()).isEqualTo(4);
    assertThat(embed.path("triggers").get(0).path("metadata").path("lagThreshold").asText())
        .isEqualTo("10");
    assertThat(embed.has("advanced")).as("no behavior given: HPA defaults").isFalse();
  }

  @Test
  void gpuDeploymentsGetAVllmSidecarWithGpuLimitsAndTheWorkerCallsLocalhost() throws IOException {
    Rendered r = render(TWO_DEPLOYMENTS);

    JsonNode chat = r.get("Deployment", "sluice-worker-chat");
    assertThat(Rendered.containerNames(chat)).containsExactly("worker", "vllm");
    JsonNode vllm = Rendered.container(chat, "vllm");
    assertThat(vllm.path("image").asText()).startsWith("vllm/vllm-openai:");
    assertThat(vllm.path("resources").path("limits").path("nvidia.com/gpu").asInt()).isEqualTo(2);
    assertThat(vllm.path("args").toString())
        .contains("\"--model\",\"Qwen/Qwen2.5-7B-Instruct\"", "\"--tensor-parallel-size\",\"2\"");
    JsonNode worker = Rendered.container(chat, "worker");
    assertThat(worker.path("args").toString()).isEqualTo("[\"worker\",\"--deployment\",\"chat\"]");
    assertThat(
            Rendered.env(worker, "SLUICE_WORKER_BACKEND_URL").orElseThrow().path("value").asText())
        .isEqualTo("http://localhost:8000");
    assertThat(worker.path("resources").path("limits").has("nvidia.com/gpu")).isFalse();
    assertThat(chat.path("spec").path("template").path("spec").path("tolerations").toString())
        .contains("nvidia.com/gpu");

    JsonNode embed = r.get("Deployment", "sluice-worker-embed");
    assertThat(Rendered.containerNames(embed)).containsExactly("worker");
    assertThat(
            Rendered.env(Rendered.container(embed, "worker"), "SLUICE_WORKER_BACKEND_URL")
                .orElseThrow()
                .path("value")
                .asText())
        .isEqualTo("http://embedder.ml:9000");
    assertThat(embed.path("spec").path("template").path("spec").has("tolerations")).isFalse();
    assertThat(embed.path("spec").has("replicas")).as("KEDA owns the replica count").isFalse();
  }

  @Test
  void terminationGraceOutlastsTheWorkerDrainAndVllmStaysUpWhileDraining() throws IOException {
    Rendered r = render(TWO_DEPLOYMENTS);

    for (String name : new String[] {"sluice-worker-chat", "sluice-worker-embed"}) {
      JsonNode pod = r.get("Deployment", name).path("spec").path("template").path("spec");
      assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(45);
      assertThat(
              Rendered.env(
                      Rendered.container(r.get("Deployment", name), "worker"),
                      "SLUICE_WORKER_DRAIN_SECONDS")
                  .orElseThrow()
                  .path("value")
                  .asText())
          .isEqualTo("45");
    }
    JsonNode vllm = Rendered.container(r.get("Deployment", "sluice-worker-chat"), "vllm");
    assertThat(vllm.path("lifecycle").path("preStop").toString()).contains("sleep 45");
  }

  @ParameterizedTest(name = "{0}/{1} probes on port {2}")
  @CsvSource({
    "sluice-router, router, management, 9090",
    "sluice-worker-chat, worker, management, 9091",
    "sluice-bridge, bridge, http, 8080",
  })
  void probesHitHealthzAndReadyzOnTheManagementPort(
      String deployment, String container, String portName, int port) throws IOException {
    JsonNode c =
        Rendered.container(render(TWO_DEPLOYMENTS).get("Deployment", deployment), container);

    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(c.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo(portName);
    JsonNode declared = c.path("ports").get(0);
    assertThat(declared.path("name").asText()).isEqualTo(portName);
    assertThat(declared.path("containerPort").asInt()).isEqualTo(port);
  }

  @Test
  void configMapCarriesKafkaAndRegistryAddressesAsContractEnv() throws IOException {
    Rendered r = render(TWO_DEPLOYMENTS + "config:\n  sluice.router.max-wait-ms: 20\n");

    JsonNode data = r.get("ConfigMap", "sluice-config").path("data");
    assertThat(data.path("SLUICE_KAFKA_BOOTSTRAP_SERVERS").asText())
        .isEqualTo("broker-0.kafka:9092,broker-1.kafka:9092");
    assertThat(data.path("SLUICE_SCHEMA_REGISTRY_URL").asText())
        .isEqualTo("http://registry.example:8081");
    assertThat(data.path("SLUICE_ROUTER_MAX_WAIT_MS").asText()).isEqualTo("20");
    JsonNode router = Rendered.container(r.get("Deployment", "sluice-router"), "router");
    assertThat(router.path("envFrom").get(0).path("configMapRef").path("name").asText())
        .isEqualTo("sluice-config");
  }

  @Test
  void bridgeAuthIsOnByDefaultWithKeysFromASecret() throws IOException {
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
    assertThat(
            new String(
                java.util.Base64.getDecoder().decode(encoded),
                java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("sk-test-0123456789abcdef");
  }

  @Test
  void saslCreatesATriggerAuthenticationFromTheSecret() throws IOException {
    String kafkaWithSasl =
        """
        kafka:
          bootstrapServers: "broker:9093"
          auth:
            enabled: true
            secretName: kafka-creds
            sasl: scram_sha512
            tls: enable
            secretKeys:
              username: user
              password: pass
              ca: ca.crt
        """;
    Rendered r =
        render(
            TWO_DEPLOYMENTS.replace(
                "kafka:\n  bootstrapServers: \"broker-0.kafka:9092,broker-1.kafka:9092\"\n",
                kafkaWithSasl));

    JsonNode auth = r.get("TriggerAuthentication", "sluice-kafka");
    assertThat(auth.path("spec").path("secretTargetRef").toString())
        .contains(
            "\"parameter\":\"username\"", "\"key\":\"user\"", "\"parameter\":\"ca\"", "kafka-creds")
        .doesNotContain("\"parameter\":\"cert\"");
    JsonNode trigger =
        r.get("ScaledObject", "sluice-worker-chat").path("spec").path("triggers").get(0);
    assertThat(trigger.path("authenticationRef").path("name").asText()).isEqualTo("sluice-kafka");
    assertThat(trigger.path("metadata").path("sasl").asText()).isEqualTo("scram_sha512");
    assertThat(trigger.path("metadata").path("tls").asText()).isEqualTo("enable");
  }

  @Test
  void serviceMonitorIsOptionalAndScrapesEveryComponent() throws IOException {
    Rendered r = render(TWO_DEPLOYMENTS + "serviceMonitor:\n  enabled: true\n");

    JsonNode sm = r.get("ServiceMonitor", "sluice");
    assertThat(sm.path("spec").path("endpoints").toString())
        .contains("management", "http", "/metrics");
    assertThat(r.names()).contains("Service/sluice-router", "Service/sluice-worker-chat");
  }

  @Test
  void tooFewPartitionsWarnsOnTheScaledObjectOrFailsWhenAsked() throws IOException {
    String values =
        "deployments:\n  tiny:\n    partitions: 2\n    scaling:\n      maxReplicaCount: 6\n";

    JsonNode so = render(values).get("ScaledObject", "sluice-worker-tiny");
    assertThat(so.path("metadata").path("annotations").path("sluice.io/warning").asText())
        .contains("partitions 2 < maxReplicaCount 6");
    assertThatThrownBy(() -> render(values + "validation:\n  failOnTooFewPartitions: true\n"))
        .hasMessageContaining("partitions (2) < maxReplicaCount (6)");
    assertThat(
            render(values.replace("maxReplicaCount: 6", "maxReplicaCount: 2"))
                .get("ScaledObject", "sluice-worker-tiny")
                .path("metadata")
                .has("annotations"))
        .isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown top-level field | replicaCount: 3",
        "unknown field in a deployment | 'deployments: {chat: {partitions: 4, gpus: 1}}'",
        "wrong type | 'deployments: {chat: {partitions: \"four\"}}'",
        "missing required partitions | 'deployments: {chat: {scaling: {maxReplicaCount: 2}}}'",
        "GPU without a model | 'deployments: {chat: {partitions: 4, gpu: {enabled: true}}}'",
        "lagThreshold below 1 | 'scalingDefaults: {lagThreshold: 0}'",
        "bad offsetResetPolicy | 'scalingDefaults: {offsetResetPolicy: newest}'",
        "registry URL without scheme | 'schemaRegistry: {url: registry:8081}'",
        "deployment name not a DNS label | 'deployments: {Chat_Bot: {partitions: 4}}'",
      })
  void badValuesFailWithASchemaError(String name, String values) {
    assertThatThrownBy(() -> render(values))
        .hasMessageContaining("values don't meet the specifications of the schema");
  }
}
