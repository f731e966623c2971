package io.sluice.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestLoaderTest {
  private static final String GOOD =
      """
      apiVersion: sluice.io/v1
      deployments:
        chat-a:
          function: llm
          batching: {maxBatchSize: 8, maxWaitMs: 20}
          scaling: {minReplicas: 1, maxReplicas: 4}
        chat-b:
          function: llm
      apps:
        chat:
          route:
            variants:
              - {name: a, deployment: chat-a, weight: 90}
              - {name: b, deployment: chat-b, weight: 10}
      """;

  private static List<ManifestProblem> problems(String text) {
    try {
      ManifestLoader.parse("sluice.yaml", text);
    } catch (InvalidManifestException e) {
      return e.problems();
    }
    throw new AssertionError("accepted:\n" + text);
  }

  @Test
  void readsTheExampleManifest() {
    Manifest m = ManifestLoader.load(Path.of("../examples/sluice.yaml"));
    assertThat(m.deployments()).containsOnlyKeys("chat-a", "chat-b", "sentiment");
    assertThat(m.apps()).containsOnlyKeys("chat", "sentiment");
    assertThat(m.deployment("sentiment").batching().maxBatchSize()).isEqualTo(32);
    assertThat(m.deployment("chat-a").partitions()).isEqualTo(4);
  }

  @Test
  void fillsDefaultsFromTheSchema() {
    Manifest m = ManifestLoader.parse("sluice.yaml", GOOD);
    DeploymentSpec b = m.deployment("chat-b");
    assertThat(b.batching().maxBatchSize()).isEqualTo(8);
    assertThat(b.batching().maxWaitMs()).isEqualTo(10);
    assertThat(b.delivery()).isEqualTo("at-least-once");
    assertThat(b.scaling().maxReplicas()).isEqualTo(4);
    assertThat(b.partitions()).isEqualTo(4);
    assertThat(b.maxOngoingRequests()).isEqualTo(8);
    assertThat(b.gracefulShutdownSeconds()).isEqualTo(30);
    assertThat(b.scaling().downscaleToZeroDelaySeconds()).isEqualTo(300);
    assertThat(m.apps().get("chat").route().salt()).isEqualTo("chat");
  }

  @Test
  void anUnknownKeyNamesFileLineKeyAndWhatIsAllowed() {
    List<ManifestProblem> p =
        problems(GOOD.replace("maxWaitMs: 20}", "maxWaitMs: 20, maxWait: 3}"));
    assertThat(p).hasSize(1);
    assertThat(p.get(0).toString())
        .startsWith("sluice.yaml:5:")
        .contains("deployments.chat-a.batching.maxWait: unknown key 'maxWait'")
        .contains("maxBatchSize, maxWaitMs, maxBatchTokens");
  }

  @Test
  void anUnknownDeploymentIsNamedWithTheOnesThereAre() {
    List<ManifestProblem> p = problems(GOOD.replace("deployment: chat-b", "deployment: chat-c"));
    assertThat(p)
        .extracting(ManifestProblem::toString)
        .containsExactly(
            "sluice.yaml:14:33: apps.chat.route.variants[1].deployment: 'chat-c' is not a"
                + " deployment in this file (deployments: chat-a, chat-b)");
  }

  @Test
  void badTypeNegativeWeightAndZeroBatchSizeAreEachReported() {
    List<ManifestProblem> p =
        problems(
            GOOD.replace("maxBatchSize: 8", "maxBatchSize: 0")
                .replace("weight: 90", "weight: -1")
                .replace("minReplicas: 1", "minReplicas: one"));
    assertThat(p)
        .extracting(ManifestProblem::key)
        .containsExactlyInAnyOrder(
            "deployments.chat-a.batching.maxBatchSize",
            "deployments.chat-a.scaling.minReplicas",
            "apps.chat.route.variants[0].weight");
    assertThat(p).allSatisfy(x -> assertThat(x.line()).isPositive());
  }

  @Test
  void aDuplicateNameIsRejectedWithItsLine() {
    List<ManifestProblem> p = problems(GOOD.replace("  chat-b:\n", "  chat-a:\n"));
    assertThat(p).hasSize(1);
    assertThat(p.get(0).line()).isEqualTo(7);
    assertThat(p.get(0).message()).contains("duplicate key 'chat-a'");
  }

  @Test
  void crossKeyChecks() {
    List<ManifestProblem> p =
        problems(
            GOOD.replace(
                    "scaling: {minReplicas: 1, maxReplicas: 4}",
                    "scaling: {minReplicas: 5, maxReplicas: 4}\n    partitions: 2")
                .replace("name: b,", "name: a,"));
    assertThat(p)
        .extracting(ManifestProblem::key)
        .containsExactlyInAnyOrder(
            "deployments.chat-a.scaling.minReplicas",
            "deployments.chat-a.partitions",
            "apps.chat.route.variants[1].name");
  }

  @Test
  void schemaAndReferenceProblemsAreReportedInOnePass() {
    List<ManifestProblem> p =
        problems(
            GOOD.replace("deployment: chat-b", "deployment: chat-c")
                .replace("maxBatchSize: 8", "maxBatchSize: 0")
                .replace(
                    "    function: llm\n      apps",
                    "    function: llm\n    colour: red\n      apps"));
    assertThat(p)
        .extracting(ManifestProblem::key)
        .contains(
            "deployments.chat-a.batching.maxBatchSize", "apps.chat.route.variants[1].deployment");
  }

  @Test
  void malformedSectionsDoNotBreakTheReferenceChecks() {
    List<ManifestProblem> p =
        problems(
            "apiVersion: sluice.io/v1\ndeployments: {d: {function: x, partitions: many,"
                + " gpu: {model: m, tensorParallelSize: two}}}\n"
                + "apps: {a: {route: {variants: [7, {weight: 1}]}}, b: {}}\n");
    assertThat(p).isNotEmpty().allSatisfy(x -> assertThat(x.line()).isPositive());
  }

  @Test
  void listsWrittenAsMapsAreSchemaProblemsNotCrashes() {
    // Found by ManifestLoaderFuzzTest in CI: variants as a map made the reference checks NPE.
    List<ManifestProblem> p =
        problems(
            """
            apiVersion: sluice.io/v1
            deployments: {d: {function: x}}
            apps: {a: {route: {variants: {x: {deployment: d}}, shadows: {y: 1}}}}
            """);
    assertThat(p)
        .extracting(ManifestProblem::key)
        .contains("apps.a.route.variants", "apps.a.route.shadows");
  }

  @Test
  void emptyAndNonYamlFilesAreRejected() {
    assertThat(problems(""))
        .extracting(ManifestProblem::message)
        .containsExactly("the file is empty");
    assertThat(problems("apiVersion: [unclosed").get(0).message()).startsWith("not valid YAML");
    assertThat(
            problems(
                    "apiVersion: sluice.io/v2\ndeployments: {a: {function: x}}\napps: {b: {route: {variants: [{deployment: a}]}}}\n")
                .get(0)
                .key())
        .isEqualTo("apiVersion");
  }

  @Test
  void jsonIsAcceptedToo() {
    Manifest m =
        ManifestLoader.parse(
            "sluice.json",
            "{\"apiVersion\": \"sluice.io/v1\", \"deployments\": {\"d\": {\"function\": \"sentiment\"}},"
                + " \"apps\": {\"a\": {\"route\": {\"variants\": [{\"deployment\": \"d\"}]}}}}");
    assertThat(m.apps().get("a").route().variants().get(0).name()).isEqualTo("d");
  }

  @Test
  void aMissingFileIsAProblemNotAStackTrace() {
    assertThatThrownBy(() -> ManifestLoader.load(Path.of("no-such.yaml")))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("no-such.yaml: no such file");
  }
}
