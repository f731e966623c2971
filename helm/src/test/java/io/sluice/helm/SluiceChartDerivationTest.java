package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.autoscaler.ScalingConfig;
import io.sluice.autoscaler.ScalingPolicy;
import io.sluice.autoscaler.ScalingRules;
import io.sluice.avro.BatchingSettings;
import io.sluice.avro.RouteConfig;
import io.sluice.manifest.DeploymentSpec;
import io.sluice.manifest.Manifest;
import io.sluice.manifest.ManifestLoader;
import io.sluice.manifest.RouteConfigs;
import io.sluice.manifest.ScalingLaw;
import io.sluice.manifest.TopicPlan;
import io.sluice.manifest.WorkerSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dev stack and the chart derive the same deployments from one file. The dev stack reads a
 * manifest with {@link ManifestLoader} and runs its workers with {@link WorkerSettings}, its
 * autoscaler with {@link ScalingLaw}, its topics with {@link TopicPlan} and its routes with {@link
 * RouteConfigs}; the chart renders the same file through real Helm. For every deployment: the
 * worker's {@code -D} settings, the ScaledObject's numbers and HPA behaviour, the partitions and
 * batching, and the function must be equal.
 */
class SluiceChartDerivationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"../examples/sluice.yaml", "src/test/resources/manifests/every-key.yaml"})
  void theChartDerivesWhatTheDevStackDerives(String file) {
    Manifest manifest = ManifestLoader.load(Path.of(file));
    Rendered r = Chart.template(dir, "{}", Path.of(file));

    assertThat(workerNames(r)).containsExactlyInAnyOrderElementsOf(manifest.deployments().keySet());
    Map<String, Integer> topics = new LinkedHashMap<>();
    TopicPlan.of(manifest).forEach(t -> topics.put(t.name(), t.partitions()));
    Map<String, BatchingSettings> routed = new LinkedHashMap<>();
    for (RouteConfig route : RouteConfigs.of(manifest, Instant.EPOCH)) {
      route.getBatching().forEach((name, b) -> routed.put(name.toString(), b));
    }

    for (DeploymentSpec d : manifest.deployments().values()) {
      String workerName = "sluice-worker-" + d.name();
      JsonNode deployment = r.get("Deployment", workerName);
      JsonNode worker = Rendered.container(deployment, "worker");

      assertThat(settings(worker))
          .as("%s: worker settings", d.name())
          .isEqualTo(WorkerSettings.of(d, "http://localhost:8000"));

      JsonNode annotations = deployment.path("metadata").path("annotations");
      assertThat(annotations.path("sluice.io/function").asText()).isEqualTo(d.function());
      int partitions = Integer.parseInt(annotations.path("sluice.io/partitions").asText());
      assertThat(partitions)
          .as("%s: partitions", d.name())
          .isEqualTo(d.partitions())
          .isEqualTo(topics.get("sluice.batches." + d.name()))
          .isGreaterThanOrEqualTo(d.scaling().maxReplicas());
      assertThat(annotations.path("sluice.io/max-batch-size").asInt())
          .isEqualTo(d.batching().maxBatchSize());
      assertThat(annotations.path("sluice.io/max-wait-ms").asLong())
          .isEqualTo(d.batching().maxWaitMs());
      assertThat(annotations.path("sluice.io/bulk-max-wait-ms").asLong())
          .as("%s: bulkMaxWaitMs", d.name())
          .isEqualTo(d.batching().bulkMaxWaitMs());
      assertThat(annotations.has("sluice.io/max-batch-tokens"))
          .isEqualTo(d.batching().maxBatchTokens() != null);
      if (d.batching().maxBatchTokens() != null) {
        assertThat(annotations.path("sluice.io/max-batch-tokens").asInt())
            .isEqualTo(d.batching().maxBatchTokens());
      }
      BatchingSettings router = routed.get(d.name());
      if (router != null) {
        assertThat(router.getMaxBatchSize()).isEqualTo(d.batching().maxBatchSize());
        assertThat(router.getMaxWaitMs()).isEqualTo(d.batching().maxWaitMs());
        assertThat(router.getBulkMaxWaitMs()).isEqualTo(d.batching().bulkMaxWaitMs());
      }
      assertThat(deployment.path("spec").path("replicas").asInt())
          .isEqualTo(d.scaling().initialReplicas());

      ScalingConfig law = ScalingLaw.of(d);
      JsonNode so = r.get("ScaledObject", workerName).path("spec");
      assertThat(so.path("minReplicaCount").asInt())
          .as("%s: min", d.name())
          .isEqualTo(law.minReplicaCount());
      assertThat(so.path("maxReplicaCount").asInt()).isEqualTo(law.maxReplicaCount());
      assertThat(so.path("cooldownPeriod").asLong()).isEqualTo(law.cooldownPeriod().toSeconds());
      assertThat(so.path("pollingInterval").asLong()).isEqualTo(law.pollingInterval().toSeconds());
      assertThat(so.path("advanced").path("horizontalPodAutoscalerConfig").path("behavior"))
          .as("%s: HPA behaviour", d.name())
          .isEqualTo(behavior(law));
      assertThat(so.path("triggers").get(0).path("metadata"))
          .as("%s: trigger", d.name())
          .isEqualTo(trigger(d, law));
    }
  }

  private static List<String> workerNames(Rendered r) {
    return r.ofKind("Deployment").stream()
        .filter(
            m ->
                "worker"
                    .equals(
                        m.path("metadata")
                            .path("labels")
                            .path("app.kubernetes.io/component")
                            .asText()))
        .map(m -> m.path("metadata").path("labels").path("sluice.io/deployment").asText())
        .toList();
  }

  /** The worker's {@code -D key=value} arguments, as ConfigFlags parses them. */
  private static Map<String, String> settings(JsonNode worker) {
    List<String> args = Rendered.args(worker);
    assertThat(args.subList(0, 3)).containsExactly("worker", "--deployment", args.get(2));
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 3; i < args.size(); i += 2) {
      assertThat(args.get(i)).isEqualTo("-D");
      String pair = args.get(i + 1);
      int eq = pair.indexOf('=');
      assertThat(out.put(pair.substring(0, eq), pair.substring(eq + 1)))
          .as("%s is given once", pair)
          .isNull();
    }
    assertThat(out.get("sluice.worker.deployment")).isEqualTo(args.get(2));
    return out;
  }

  /** {@code advanced.horizontalPodAutoscalerConfig.behavior} as ScalingLaw gives it. */
  private static JsonNode behavior(ScalingConfig law) {
    ObjectNode behavior = JSON.createObjectNode();
    behavior.set("scaleDown", rules(law.behavior().scaleDown()));
    behavior.set("scaleUp", rules(law.behavior().scaleUp()));
    return behavior;
  }

  private static JsonNode rules(ScalingRules rules) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode policies = out.putArray("policies");
    for (ScalingPolicy p : rules.policies()) {
      policies
          .addObject()
          .put("periodSeconds", (int) p.period().toSeconds())
          .put("type", p.type() == ScalingPolicy.Type.PODS ? "Pods" : "Percent")
          .put("value", p.value());
    }
    String select = rules.selectPolicy().name();
    out.put("selectPolicy", select.charAt(0) + select.substring(1).toLowerCase(Locale.ROOT));
    out.put("stabilizationWindowSeconds", (int) rules.stabilizationWindow().toSeconds());
    return out;
  }

  /** The kafka trigger's metadata as ScalingConfig gives it (KEDA takes strings). */
  private static JsonNode trigger(DeploymentSpec d, ScalingConfig law) {
    ObjectNode m = JSON.createObjectNode();
    m.put("bootstrapServers", "kafka-bootstrap:9092");
    m.put("consumerGroup", "sluice.fn." + d.name());
    m.put("topic", "sluice.batches." + d.name());
    m.put("lagThreshold", Long.toString(law.lagThreshold()));
    m.put("activationLagThreshold", Long.toString(law.activationLagThreshold()));
    m.put("offsetResetPolicy", law.offsetResetPolicy().kedaName());
    m.put("allowIdleConsumers", Boolean.toString(law.allowIdleConsumers()));
    m.put("limitToPartitionsWithLag", Boolean.toString(law.limitToPartitionsWithLag()));
    m.put("excludePersistentLag", Boolean.toString(law.excludePersistentLag()));
    m.put("scaleToZeroOnInvalidOffset", Boolean.toString(law.scaleToZeroOnInvalidOffset()));
    return m;
  }
}
