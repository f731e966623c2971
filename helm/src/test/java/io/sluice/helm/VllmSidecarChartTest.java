package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vLLM sidecar's chart-wide env, HF_TOKEN, /dev/shm and model cache. */
class VllmSidecarChartTest {

  @TempDir Path dir;

  private static JsonNode vllm(Rendered r, String deployment) {
    return Rendered.container(r.get("Deployment", "sluice-worker-" + deployment), "vllm");
  }

  private static JsonNode volume(JsonNode deployment, String name) {
    return StreamSupport.stream(Rendered.podSpec(deployment).path("volumes").spliterator(), false)
        .filter(v -> name.equals(v.path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static String mountPath(JsonNode container, String volume) {
    return StreamSupport.stream(container.path("volumeMounts").spliterator(), false)
        .filter(m -> volume.equals(m.path("name").asText()))
        .map(m -> m.path("mountPath").asText())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no mount of " + volume + " in " + container));
  }

  private static List<String> envNames(JsonNode container) {
    return StreamSupport.stream(container.path("env").spliterator(), false)
        .map(e -> e.path("name").asText())
        .toList();
  }

  @Test
  void byDefaultTheSidecarGetsAMemoryShmAndAnEmptyDirCacheAtHfHome() {
    Rendered r = Chart.template(dir, "{}", Chart.EXAMPLE);

    JsonNode chat = r.get("Deployment", "sluice-worker-chat-a");
    JsonNode vllm = vllm(r, "chat-a");
    assertThat(mountPath(vllm, "vllm-shm")).isEqualTo("/dev/shm");
    JsonNode shm = volume(chat, "vllm-shm").path("emptyDir");
    assertThat(shm.path("medium").asText()).isEqualTo("Memory");
    assertThat(shm.path("sizeLimit").asText()).isEqualTo("2Gi");
    assertThat(mountPath(vllm, "vllm-cache")).isEqualTo("/root/.cache/huggingface");
    assertThat(volume(chat, "vllm-cache").has("emptyDir")).isTrue();
    assertThat(Rendered.env(vllm, "HF_HOME").orElseThrow().path("value").asText())
        .isEqualTo("/root/.cache/huggingface");
    assertThat(Rendered.env(vllm, "HF_TOKEN")).isEmpty();
    // The worker container mounts neither; a deployment without gpu has no such volumes.
    assertThat(Rendered.container(chat, "worker").path("volumeMounts").toString())
        .doesNotContain("vllm-");
    assertThat(r.get("Deployment", "sluice-worker-sentiment").toString()).doesNotContain("vllm-");
  }

  @Test
  void hfTokenFromASecretChartWideEnvAndAPersistentCache() {
    Rendered r =
        Chart.template(
            dir,
            """
            vllm:
              hfTokenSecret: {name: hf-token, key: hf}
              env:
                - {name: VLLM_LOGGING_LEVEL, value: DEBUG}
                - {name: NCCL_DEBUG, value: WARN}
              shm: {sizeLimit: 16Gi}
              cache: {mountPath: /models, existingClaim: model-cache}
            """,
            Chart.EXAMPLE);

    JsonNode chat = r.get("Deployment", "sluice-worker-chat-a");
    JsonNode vllm = vllm(r, "chat-a");
    JsonNode token = Rendered.env(vllm, "HF_TOKEN").orElseThrow();
    assertThat(token.has("value")).isFalse();
    assertThat(token.path("valueFrom").path("secretKeyRef").path("name").asText())
        .isEqualTo("hf-token");
    assertThat(token.path("valueFrom").path("secretKeyRef").path("key").asText()).isEqualTo("hf");
    assertThat(Rendered.env(vllm, "HF_HOME").orElseThrow().path("value").asText())
        .isEqualTo("/models");
    assertThat(Rendered.env(vllm, "NCCL_DEBUG").orElseThrow().path("value").asText())
        .isEqualTo("WARN");
    assertThat(mountPath(vllm, "vllm-cache")).isEqualTo("/models");
    assertThat(volume(chat, "vllm-cache").path("persistentVolumeClaim").path("claimName").asText())
        .isEqualTo("model-cache");
    assertThat(volume(chat, "vllm-shm").path("emptyDir").path("sizeLimit").asText())
        .isEqualTo("16Gi");
  }

  @Test
  void aDeploymentsGpuEnvWinsOverTheChartWideOnesByName() {
    Rendered r =
        Chart.template(
            dir,
            """
            vllm:
              hfTokenSecret: {name: hf-token}
              env: [{name: VLLM_LOGGING_LEVEL, value: DEBUG}]
            """,
            Chart.EVERY_KEY);

    // big-llm's gpu.env: HF_TOKEN from Secret hf, VLLM_LOGGING_LEVEL INFO.
    JsonNode big = vllm(r, "big-llm");
    assertThat(envNames(big)).doesNotHaveDuplicates().contains("HF_HOME", "HF_TOKEN");
    assertThat(
            Rendered.env(big, "HF_TOKEN")
                .orElseThrow()
                .path("valueFrom")
                .path("secretKeyRef")
                .path("name")
                .asText())
        .isEqualTo("hf");
    assertThat(Rendered.env(big, "VLLM_LOGGING_LEVEL").orElseThrow().path("value").asText())
        .isEqualTo("INFO");
    JsonNode wide = vllm(r, "wide");
    assertThat(
            Rendered.env(wide, "HF_TOKEN")
                .orElseThrow()
                .path("valueFrom")
                .path("secretKeyRef")
                .path("name")
                .asText())
        .isEqualTo("hf-token");
    assertThat(Rendered.env(wide, "VLLM_LOGGING_LEVEL").orElseThrow().path("value").asText())
        .isEqualTo("DEBUG");
  }
}
