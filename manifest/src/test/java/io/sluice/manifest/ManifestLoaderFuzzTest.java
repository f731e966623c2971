package io.sluice.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.avro.RouteConfig;
import io.sluice.functions.worker.WorkerConfig;
import io.sluice.router.route.RouteValidator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Coverage-guided fuzzing of manifests, the file every part trusts once it is accepted. For any
 * text, {@link ManifestLoader#parse} returns a manifest or throws {@link InvalidManifestException}
 * with located problems — nothing else. A manifest it accepts must be usable by every part: each
 * route passes the router's own validator, each deployment's worker keys pass the worker's config
 * definition, its scaling law builds, and its topics are planned. This is what keeps the schema's
 * ranges and the parts' validators from drifting apart.
 *
 * <p>Seeds: {@code ManifestLoaderFuzzTestInputs/} in the test resources; see docs/FUZZING.md.
 */
class ManifestLoaderFuzzTest {
  @FuzzTest(maxDuration = "15s")
  void parsesOrThrowsInvalidManifest(byte[] input) {
    Manifest m;
    try {
      m = ManifestLoader.parse("fuzz.yaml", new String(input, StandardCharsets.UTF_8));
    } catch (InvalidManifestException e) {
      assertThat(e.problems()).isNotEmpty();
      e.problems().forEach(p -> assertThat(p.file()).isEqualTo("fuzz.yaml"));
      return;
    }
    for (RouteConfig r : RouteConfigs.of(m, Instant.EPOCH)) {
      assertThat(RouteValidator.problems(r)).as("route of %s", r.getApp()).isEmpty();
    }
    for (DeploymentSpec d : m.deployments().values()) {
      Map<String, String> raw = new LinkedHashMap<>(WorkerSettings.of(d, "http://localhost:8000"));
      WorkerConfig.from(WorkerConfig.definition().parse(raw));
      assertThat(ScalingLaw.of(d).maxReplicaCount()).isEqualTo(d.scaling().maxReplicas());
      assertThat(d.partitions()).isGreaterThanOrEqualTo(d.scaling().maxReplicas());
    }
    assertThat(TopicPlan.of(m)).isNotEmpty();
  }
}
