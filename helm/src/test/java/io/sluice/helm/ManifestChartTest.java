package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.manifest.InvalidManifestException;
import io.sluice.manifest.ManifestLoader;
import io.sluice.manifest.ManifestProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the chart renders from the manifest: worker Deployments with their vLLM sidecars, KEDA
 * objects, the manifest ConfigMap and the {@code sluice apply} hook Job, from {@code --set-file
 * manifest=} text or the document under {@code manifest:}; and that it refuses what the loader
 * refuses.
 */
class ManifestChartTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path dir;

  private Rendered example(String values) {
    return Chart.template(dir, values, Chart.EXAMPLE);
  }

  private Rendered everyKey(String values) {
    return Chart.template(dir, values, Chart.EVERY_KEY);
  }

  @Test
  void everyDeploymentOfTheExampleGetsAWorkerAServiceAndAScaledObject() {
    Rendered r = example("{}");

    for (String name : List.of("chat-a", "chat-b", "embedder", "sentiment", "preprocess")) {
      assertThat(r.names())
          .contains(
              "Deployment/sluice-worker-" + name,
              "Service/sluice-worker-" + name,
              "ScaledObject/sluice-worker-" + name);
      JsonNode trigger =
          r.get("ScaledObject", "sluice-worker-" + name).path("spec").path("triggers").get(0);
      assertThat(trigger.path("type").asText()).isEqualTo("kafka");
      assertThat(trigger.path("metadata").path("consumerGroup").asText())
          .isEqualTo("sluice.fn." + name);
      assertThat(trigger.path("metadata").path("topic").asText())
          .isEqualTo("sluice.batches." + name);
    }
    assertThat(r.ofKind("Deployment")).hasSize(7);
    assertThat(r.ofKind("ScaledObject")).hasSize(5);
  }

  @Test
  void setFileTextAndTheObjectFormRenderTheSameObjects() throws IOException {
    Rendered text = example("{}");
    Rendered object = Chart.template(dir, Chart.objectForm(Chart.EXAMPLE));

    assertThat(object.names()).containsExactlyInAnyOrderElementsOf(text.names());
    for (JsonNode m : text.manifests()) {
      String kind = m.path("kind").asText();
      String name = m.path("metadata").path("name").asText();
      if (!name.equals("sluice-manifest")) {
        assertThat(object.get(kind, name)).as("%s/%s", kind, name).isEqualTo(m);
      }
    }
    // The ConfigMap keeps the text as given (comments included); the object form is re-serialised.
    String given = Files.readString(Chart.EXAMPLE);
    String mounted =
        text.get("ConfigMap", "sluice-manifest").path("data").path("sluice.yaml").asText();
    assertThat(mounted).isEqualTo(given);
    assertThat(
            YAML.readTree(
                object
                    .get("ConfigMap", "sluice-manifest")
                    .path("data")
                    .path("sluice.yaml")
                    .asText()))
        .isEqualTo(YAML.readTree(given));
  }

  @Test
  void gpuDeploymentsGetAVllmSidecarServingTheirModelOnTheirGpus() {
    Rendered r = everyKey("{}");

    JsonNode big = r.get("Deployment", "sluice-worker-big-llm");
    assertThat(Rendered.containerNames(big)).containsExactly("worker", "vllm");
    JsonNode vllm = Rendered.container(big, "vllm");
    assertThat(vllm.path("image").asText()).isEqualTo("vllm/vllm-openai:v0.10.1");
    assertThat(Rendered.args(vllm))
        .containsExactly(
            "--model",
            "Qwen/Qwen2.5-7B-Instruct",
            "--port",
            "8000",
            "--served-model-name",
            "qwen-7b",
            "--max-model-len",
            "8192",
            "--gpu-memory-utilization",
            "0.85",
            "--tensor-parallel-size",
            "2",
            "--enable-prefix-caching",
            "--max-num-seqs=64");
    assertThat(vllm.path("resources").path("limits").path("nvidia.com/gpu").asInt()).isEqualTo(2);
    assertThat(Rendered.env(vllm, "VLLM_LOGGING_LEVEL").orElseThrow().path("value").asText())
        .isEqualTo("INFO");
    JsonNode token =
        Rendered.env(vllm, "HF_TOKEN").orElseThrow().path("valueFrom").path("secretKeyRef");
    assertThat(token.path("name").asText()).isEqualTo("hf");
    assertThat(token.path("key").asText()).isEqualTo("token");
    JsonNode pod = Rendered.podSpec(big);
    assertThat(pod.path("nodeSelector").path("nvidia.com/gpu.product").asText())
        .isEqualTo("NVIDIA-L4");
    assertThat(pod.path("tolerations").toString()).contains("nvidia.com/gpu");
    assertThat(vllm.path("lifecycle").path("preStop").toString())
        .as("vLLM keeps serving while the worker drains")
        .contains("sleep 120");
    JsonNode worker = Rendered.container(big, "worker");
    assertThat(Rendered.args(worker)).contains("sluice.worker.backend-url=http://localhost:8000");
    assertThat(worker.path("resources").path("limits").has("nvidia.com/gpu")).isFalse();

    // count 4 without tensorParallelSize: tensor parallel over all four; no type, no nodeSelector.
    JsonNode wide = r.get("Deployment", "sluice-worker-wide");
    assertThat(Rendered.args(Rendered.container(wide, "vllm")))
        .containsSequence("--tensor-parallel-size", "4")
        .doesNotContain("--served-model-name", "--max-model-len");
    assertThat(Rendered.podSpec(wide).has("nodeSelector")).isFalse();
    // One GPU: no tensor parallelism.
    assertThat(
            Rendered.args(
                Rendered.container(
                    example("{}").get("Deployment", "sluice-worker-chat-a"), "vllm")))
        .doesNotContain("--tensor-parallel-size");

    JsonNode plain = r.get("Deployment", "sluice-worker-plain");
    assertThat(Rendered.containerNames(plain)).containsExactly("worker");
    assertThat(Rendered.podSpec(plain).has("tolerations")).isFalse();
    assertThat(Rendered.args(Rendered.container(plain, "worker")))
        .noneMatch(a -> a.startsWith("sluice.worker.backend-url="));
  }

  @Test
  void theWorkerPodTakesResourcesProbesAndDrainFromItsDeployment() {
    Rendered r = everyKey("worker:\n  terminationMarginSeconds: 20\n");

    JsonNode big = r.get("Deployment", "sluice-worker-big-llm");
    JsonNode worker = Rendered.container(big, "worker");
    assertThat(worker.path("resources").toString())
        .isEqualTo(
            "{\"limits\":{\"memory\":\"8Gi\"},\"requests\":{\"cpu\":\"2\",\"memory\":\"8Gi\"}}");
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      assertThat(worker.path(probe).path("periodSeconds").asInt()).isEqualTo(20);
      assertThat(worker.path(probe).path("timeoutSeconds").asInt()).isEqualTo(5);
    }
    assertThat(Rendered.podSpec(big).path("terminationGracePeriodSeconds").asInt())
        .isEqualTo(120 + 20);
    assertThat(worker.path("volumeMounts").toString())
        .contains("\"mountPath\":\"/etc/sluice/manifest\"");
    assertThat(Rendered.podSpec(big).path("volumes").toString())
        .contains("\"configMap\":{\"name\":\"sluice-manifest\"}");

    // The schema's defaults: 10 s / 30 s probes, a 30 s drain; no resources.
    JsonNode plain = Rendered.container(r.get("Deployment", "sluice-worker-plain"), "worker");
    assertThat(plain.path("livenessProbe").path("periodSeconds").asInt()).isEqualTo(10);
    assertThat(plain.path("livenessProbe").path("timeoutSeconds").asInt()).isEqualTo(30);
    assertThat(plain.has("resources")).isFalse();
    assertThat(
            Rendered.podSpec(r.get("Deployment", "sluice-worker-plain"))
                .path("terminationGracePeriodSeconds")
                .asInt())
        .isEqualTo(30 + 20);
  }

  @Test
  void theBackendApiKeyComesFromTheSecretTheManifestNames() {
    Rendered r = everyKey("{}");

    JsonNode remote = Rendered.container(r.get("Deployment", "sluice-worker-remote"), "worker");
    JsonNode ref =
        Rendered.env(remote, "SLUICE_WORKER_BACKEND_API_KEY")
            .orElseThrow()
            .path("valueFrom")
            .path("secretKeyRef");
    assertThat(ref.path("name").asText()).isEqualTo("remote-key");
    assertThat(ref.path("key").asText()).isEqualTo("api-key");
    assertThat(Rendered.args(remote))
        .contains("sluice.worker.backend-url=https://api.example.com/v1");
    assertThat(
            Rendered.env(
                Rendered.container(r.get("Deployment", "sluice-worker-plain"), "worker"),
                "SLUICE_WORKER_BACKEND_API_KEY"))
        .isEmpty();
  }

  @Test
  void workersStartAtInitialReplicasAndWithoutKedaKeepAtLeastOne() {
    Rendered keda = everyKey("{}");
    assertThat(replicas(keda, "big-llm")).isEqualTo(3);
    assertThat(replicas(keda, "plain")).as("initialReplicas defaults to minReplicas").isZero();
    assertThat(replicas(keda, "wide")).isEqualTo(2);

    Rendered fixed = everyKey("keda:\n  enabled: false\n");
    assertThat(fixed.ofKind("ScaledObject")).isEmpty();
    assertThat(replicas(fixed, "big-llm")).isEqualTo(3);
    assertThat(replicas(fixed, "plain")).as("no autoscaler would ever start it").isEqualTo(1);
  }

  private static int replicas(Rendered r, String deployment) {
    JsonNode spec = r.get("Deployment", "sluice-worker-" + deployment).path("spec");
    assertThat(spec.has("replicas")).isTrue();
    return spec.path("replicas").asInt();
  }

  @Test
  void aHookJobRunsSluiceApplyWithTheManifestAfterInstallAndUpgrade() {
    Path chart = Chart.withHooksRendered(dir);
    Rendered r =
        Chart.template(
            chart,
            dir,
            """
            apply:
              backoffLimit: 2
              activeDeadlineSeconds: 120
              extraEnv: [{name: SLUICE_KAFKA_SASL, value: x}]
            """,
            Chart.EXAMPLE);

    JsonNode job = r.get("Job", "sluice-apply");
    JsonNode annotations = job.path("metadata").path("annotations");
    assertThat(annotations.path("rendered.sluice.io/hook").asText())
        .isEqualTo("post-install,post-upgrade");
    assertThat(annotations.path("rendered.sluice.io/hook-delete-policy").asText())
        .isEqualTo("before-hook-creation,hook-succeeded");
    assertThat(job.path("spec").path("backoffLimit").asInt()).isEqualTo(2);
    assertThat(job.path("spec").path("activeDeadlineSeconds").asInt()).isEqualTo(120);
    JsonNode pod = Rendered.podSpec(job);
    assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
    JsonNode apply = pod.path("containers").get(0);
    assertThat(apply.path("image").asText()).isEqualTo(Chart.defaultImage());
    assertThat(Rendered.args(apply))
        .containsExactly("apply", "-f", "/etc/sluice/manifest/sluice.yaml");
    assertThat(apply.path("envFrom").get(0).path("configMapRef").path("name").asText())
        .isEqualTo("sluice-config");
    assertThat(Rendered.env(apply, "SLUICE_KAFKA_SASL")).isPresent();
    assertThat(apply.path("volumeMounts").get(0).path("mountPath").asText())
        .isEqualTo("/etc/sluice/manifest");
    assertThat(pod.path("volumes").get(0).path("configMap").path("name").asText())
        .isEqualTo("sluice-manifest");
    assertThat(r.get("ConfigMap", "sluice-manifest").path("data").has("sluice.yaml")).isTrue();

    assertThat(Chart.template(chart, dir, "apply:\n  enabled: false\n", Chart.EXAMPLE).names())
        .doesNotContain("Job/sluice-apply");
    assertThat(Chart.template(chart, dir, "{}", null).names())
        .doesNotContain("Job/sluice-apply", "ConfigMap/sluice-manifest");
  }

  /**
   * Each case breaks examples/sluice.yaml one way; the loader (what {@code ./sluice dev} and {@code
   * sluice apply} run) and the chart both refuse it, naming the same keys.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fewer partitions than replicas | partitions: 4 | partitions: 1",
        "an unknown key | maxOngoingRequests: 16 | maxOngoing: 16",
        "a wrong type | 'batching: {maxBatchSize: 32, maxWaitMs: 5}' | 'batching: {maxBatchSize:"
            + " thirty-two, maxWaitMs: 5}'",
        "below a minimum | 'minReplicas: 0' | 'minReplicas: -1'",
        "a pattern | 'function: sentiment' | 'function: Sentiment'",
        "an enum | 'stickiness: record_key' | 'stickiness: sticky'",
        "another version | apiVersion: sluice.io/v1 | apiVersion: sluice.io/v2",
        "min above max | 'minReplicas: 0' | 'minReplicas: 3'",
        "tensor parallel not dividing the GPUs | 'gpuMemoryUtilization: 0.9' |"
            + " 'gpuMemoryUtilization: 0.9\\n      tensorParallelSize: 2'",
        "GPU env neither text nor a secret | 'gpuMemoryUtilization: 0.9' | 'gpuMemoryUtilization:"
            + " 0.9\\n      env: {HF_TOKEN: {secret: hf}}'",
        "a GPU and a backend URL | 'maxOngoingRequests: 16' | 'maxOngoingRequests: 16\\n    backend:"
            + " {url: \"http://vllm:8000\"}'",
        "a missing required key | 'function: sentiment' | 'params: {a: b}'",
        "BULK waiting less than interactive | 'batching: {maxBatchSize: 32, maxWaitMs: 5}' |"
            + " 'batching: {maxBatchSize: 32, maxWaitMs: 5, bulkMaxWaitMs: 2}'",
      })
  void aManifestTheLoaderRefusesFailsTheChartNamingTheSameKeys(String name, String from, String to)
      throws IOException {
    String text = Files.readString(Chart.EXAMPLE).replace(from, to.replace("\\n", "\n"));
    assertThat(text)
        .as("the case changes the example")
        .isNotEqualTo(Files.readString(Chart.EXAMPLE));
    Path broken = Files.writeString(dir.resolve("broken.yaml"), text);

    List<String> keys =
        assertThatThrownByLoader(text).stream().map(ManifestProblem::key).distinct().toList();
    assertThat(keys).isNotEmpty();
    assertThatThrownBy(() -> Chart.template(dir, "{}", broken))
        .hasMessageContaining("the manifest is not valid")
        .satisfies(e -> assertThat(e.getMessage()).contains(keys));
  }

  private static List<ManifestProblem> assertThatThrownByLoader(String text) {
    try {
      ManifestLoader.parse("broken.yaml", text);
    } catch (InvalidManifestException e) {
      return e.problems();
    }
    throw new AssertionError("the loader accepted it");
  }

  @Test
  void manifestTextThatIsNotAMappingFailsClearly() throws IOException {
    Path list = Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n");
    Path tabs = Files.writeString(dir.resolve("tabs.yaml"), "apiVersion: [\n");

    assertThatThrownBy(() -> Chart.template(dir, "{}", list))
        .hasMessageContaining("manifest: not a YAML mapping");
    assertThatThrownBy(() -> Chart.template(dir, "{}", tabs))
        .hasMessageContaining("manifest: not a YAML mapping");
  }
}
