package io.sluice.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.Priority;
import io.sluice.avro.RouteConfig;
import io.sluice.router.batch.BatchLimits;
import io.sluice.router.route.RouteValidator;
import io.sluice.schemas.BulkWait;
import io.sluice.schemas.Topics;
import java.nio.file.Path;
import java.time.Instant;
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
    assertThat(m.deployments())
        .containsOnlyKeys("chat-a", "chat-b", "embedder", "sentiment", "preprocess");
    assertThat(m.apps()).containsOnlyKeys("chat", "sentiment", "embed", "analyze", "headline");
    assertThat(m.deployment("embedder").function()).isEqualTo("embeddings");
    assertThat(m.apps().get("embed").route().deployments()).containsExactly("embedder");
    assertThat(m.pipelines()).containsOnlyKeys("analyze", "headline");
    assertThat(m.pipeline("headline").step("write").stream()).isTrue();
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
  void bulkMaxWaitMsDefaultsToTheLargerOfMaxWaitMsAnd100AndReachesTheRouteTable() {
    Manifest m =
        ManifestLoader.parse(
            "sluice.yaml",
            GOOD.replace(
                "  chat-b:\n    function: llm\n",
                "  chat-b:\n    function: llm\n    batching: {maxWaitMs: 250}\n"));
    assertThat(m.deployment("chat-a").batching().bulkMaxWaitMs()).isEqualTo(100);
    assertThat(m.deployment("chat-b").batching().bulkMaxWaitMs()).isEqualTo(250);
    assertThat(ManifestLoader.parse("sluice.yaml", GOOD).deployment("chat-b").batching())
        .as("maxWaitMs left at its default of 10")
        .isEqualTo(new DeploymentSpec.Batching(8, 10, null, 100));

    Manifest set =
        ManifestLoader.parse(
            "sluice.yaml", GOOD.replace("maxWaitMs: 20}", "maxWaitMs: 20, bulkMaxWaitMs: 500}"));
    assertThat(set.deployment("chat-a").batching().bulkMaxWaitMs()).isEqualTo(500);
    RouteConfig r = RouteConfigs.of(set, set.apps().get("chat"), Instant.EPOCH);
    assertThat(RouteValidator.problems(r)).isEmpty();
    assertThat(r.getBatching().get("chat-a").getBulkMaxWaitMs()).isEqualTo(500L);
    assertThat(r.getBatching().get("chat-b").getBulkMaxWaitMs()).isEqualTo(100L);
    // What the router makes of it: BULK waits 500 ms, INTERACTIVE keeps maxWaitMs.
    BatchLimits limits = BatchLimits.of(r.getBatching().get("chat-a"));
    assertThat(limits.maxWaitMs(Priority.BULK)).isEqualTo(500);
    assertThat(limits.maxWaitMs(Priority.INTERACTIVE)).isEqualTo(20);

    Manifest zero =
        ManifestLoader.parse(
            "sluice.yaml", GOOD.replace("maxWaitMs: 20}", "maxWaitMs: 0, bulkMaxWaitMs: 0}"));
    assertThat(zero.deployment("chat-a").batching().bulkMaxWaitMs()).isZero();
    assertThat(
            ManifestLoader.parse("sluice.yaml", GOOD.replace("maxWaitMs: 20}", "maxWaitMs: 0}"))
                .deployment("chat-a")
                .batching()
                .bulkMaxWaitMs())
        .as("maxWaitMs: 0 sends interactive requests at once; BULK still waits")
        .isEqualTo(100);
  }

  @Test
  void aBulkMaxWaitMsBelowMaxWaitMsOrOutOfRangeIsNamedWithItsLine() {
    List<ManifestProblem> below =
        problems(GOOD.replace("maxWaitMs: 20}", "maxWaitMs: 20, bulkMaxWaitMs: 5}"));
    assertThat(below)
        .extracting(ManifestProblem::toString)
        .containsExactly(
            "sluice.yaml:5:63: deployments.chat-a.batching.bulkMaxWaitMs: 5 is less than"
                + " maxWaitMs (20): BULK batches may not flush sooner than interactive ones; use"
                + " at least 20, or leave it out for the larger of maxWaitMs and 100");
    assertThat(
            problems(
                GOOD.replace(
                    "  chat-b:\n    function: llm\n",
                    "  chat-b:\n    function: llm\n    batching: {bulkMaxWaitMs: 3}\n")))
        .extracting(ManifestProblem::message)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("3 is less than maxWaitMs (10)");
    for (String bad : List.of("-1", "60001", "soon")) {
      assertThat(
              problems(
                  GOOD.replace("maxWaitMs: 20}", "maxWaitMs: 20, bulkMaxWaitMs: " + bad + "}")))
          .as(bad)
          .extracting(ManifestProblem::key)
          .containsExactly("deployments.chat-a.batching.bulkMaxWaitMs");
    }
  }

  @Test
  void theSchemasBoundOfBulkMaxWaitMsIsTheRoutersBound() {
    assertThat(ManifestSchema.at("/definitions/batching/properties/bulkMaxWaitMs/maximum").asLong())
        .isEqualTo(BulkWait.MAX_MS);
    assertThat(
            ManifestSchema.at("/definitions/batching/properties/bulkMaxWaitMs/description")
                .asText())
        .contains("the larger of maxWaitMs and " + BulkWait.DEFAULT_FLOOR_MS);
  }

  @Test
  void anUnknownKeyNamesFileLineKeyAndWhatIsAllowed() {
    List<ManifestProblem> p =
        problems(GOOD.replace("maxWaitMs: 20}", "maxWaitMs: 20, maxWait: 3}"));
    assertThat(p).hasSize(1);
    assertThat(p.get(0).toString())
        .startsWith("sluice.yaml:5:")
        .contains("deployments.chat-a.batching.maxWait: unknown key 'maxWait'")
        .contains("maxBatchSize, maxWaitMs, maxBatchTokens, bulkMaxWaitMs");
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

  private static final String PIPELINE =
      """
      apiVersion: sluice.io/v1
      deployments:
        pre: {function: preprocess, partitions: 6}
        senti: {function: sentiment, batching: {maxBatchSize: 32, maxWaitMs: 5}}
        llm-a: {function: llm}
      pipelines:
        analyze:
          timeoutSeconds: 60
          steps:
            pre:
              deployment: pre
            senti:
              deployment: senti
              input: {text: $/request/text}
            summarize:
              deployment: llm-a
              when: {value: $/steps/pre/tokenCount, gte: 30}
              chat:
                - {role: system, content: Summarise.}
                - {role: user, content: $/request/text}
              maxTokens: 64
              onFailure: skip
          output:
            length: $/steps/pre/charCount
            sentiment: $/steps/senti
            summary: $/steps/summarize/content
      apps:
        analyze:
          pipeline: analyze
        mixed:
          route:
            variants:
              - {name: direct, deployment: senti, weight: 3}
              - {pipeline: analyze}
            shadows:
              - {pipeline: analyze, percent: 10}
      """;

  private static List<String> pipelineProblems(String from, String to) {
    assertThat(PIPELINE).contains(from);
    return problems(PIPELINE.replace(from, to)).stream().map(ManifestProblem::toString).toList();
  }

  @Test
  void aPipelineAppBindsToARouteConfigTheRouterAccepts() {
    Manifest m = ManifestLoader.parse("sluice.yaml", PIPELINE);
    assertThat(m.pipeline("analyze").timeoutMs()).isEqualTo(60_000);
    assertThat(m.pipeline("analyze").deployments()).containsExactly("pre", "senti", "llm-a");

    AppSpec analyze = m.apps().get("analyze");
    assertThat(analyze.route().variants())
        .containsExactly(new AppSpec.Variant("main", null, "analyze", 1.0));
    RouteConfig r = RouteConfigs.of(m, analyze, Instant.EPOCH);
    assertThat(RouteValidator.problems(r)).isEmpty();
    assertThat(r.getPipelines()).containsOnlyKeys("analyze");
    assertThat(r.getPipelines().get("analyze")).isEqualTo(m.pipeline("analyze").json());
    assertThat(r.getVariants().get(0).getDeployment()).isEmpty();
    assertThat(r.getVariants().get(0).getPipeline()).isEqualTo("analyze");
    assertThat(r.getBatching()).containsOnlyKeys("pre", "senti", "llm-a");
    assertThat(r.getBatching().get("senti").getMaxBatchSize()).isEqualTo(32);

    RouteConfig mixed = RouteConfigs.of(m, m.apps().get("mixed"), Instant.EPOCH);
    assertThat(RouteValidator.problems(mixed)).isEmpty();
    assertThat(mixed.getVariants())
        .extracting(v -> v.getName() + "=" + v.getDeployment() + "/" + v.getPipeline())
        .containsExactly("direct=senti/null", "analyze=/analyze");
    assertThat(mixed.getShadows().get(0).getPipeline()).isEqualTo("analyze");
    assertThat(mixed.getBatching()).containsOnlyKeys("senti", "pre", "llm-a");

    assertThat(TopicPlan.of(m))
        .filteredOn(t -> t.name().equals(Topics.PIPELINE_REPLIES))
        .singleElement()
        .satisfies(t -> assertThat(t.partitions()).isEqualTo(6));
    assertThat(TopicPlan.of(ManifestLoader.parse("sluice.yaml", GOOD)))
        .noneMatch(t -> t.name().equals(Topics.PIPELINE_REPLIES));
  }

  @Test
  void thePlanHasTheBatchApisTopicsWithoutAvroForItsJsonRecords() {
    List<TopicPlan.TopicSpec> plan = TopicPlan.of(ManifestLoader.parse("sluice.yaml", GOOD));
    assertThat(plan)
        .filteredOn(t -> t.name().equals(Topics.BATCH_FILES) || t.name().equals(Topics.BATCH_JOBS))
        .hasSize(2)
        .allSatisfy(
            t -> {
              assertThat(t.configs()).containsEntry("cleanup.policy", "compact,delete");
              assertThat(t.valueSchema()).isNull();
            });
    assertThat(plan)
        .filteredOn(t -> t.name().equals(Topics.BATCH_EVENTS))
        .singleElement()
        .satisfies(t -> assertThat(t.valueSchema().getName()).isEqualTo("InferenceResponse"));
  }

  @Test
  void aCycleNamesItsStepsAndWhere() {
    String cyclic =
        PIPELINE
            .replace("input: {text: $/request/text}", "input: {text: $/steps/summarize/content}")
            .replace("$/steps/pre/tokenCount", "$/steps/senti/score");
    assertThat(problems(cyclic))
        .extracting(ManifestProblem::toString)
        .containsExactly(
            "sluice.yaml:13:9: pipelines.analyze.steps.senti: steps senti -> summarize -> senti"
                + " form a cycle: none of them can ever run");
  }

  @Test
  void aReferenceToAnUnknownStepIsPlacedAtTheReadingStep() {
    assertThat(pipelineProblems("gte: 30}", "gte: 30}\n        input2: 1").stream()).isNotEmpty();
    List<String> p = pipelineProblems("$/steps/pre/tokenCount", "$/steps/prep/tokenCount");
    assertThat(p)
        .contains(
            "sluice.yaml:16:9: pipelines.analyze.steps.summarize: step 'summarize' reads step"
                + " 'prep', which is not a step of this pipeline (steps: pre, senti, summarize)");
  }

  @Test
  void anUnknownDeploymentInAStepIsPlacedAtItsValue() {
    assertThat(pipelineProblems("deployment: llm-a", "deployment: llm-b"))
        .containsExactly(
            "sluice.yaml:16:21: pipelines.analyze.steps.summarize.deployment: step 'summarize':"
                + " 'llm-b' is not a deployment in this file");
  }

  @Test
  void aStepNobodyReadsIsReported() {
    assertThat(pipelineProblems("      summary: $/steps/summarize/content\n", ""))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p)
                    .startsWith("sluice.yaml:16:9: pipelines.analyze.steps.summarize: ")
                    .contains("step 'summarize' is unreachable from the answer"));
  }

  @Test
  void onFailureDefaultWithoutADefaultIsReported() {
    assertThat(pipelineProblems("onFailure: skip", "onFailure: default"))
        .containsExactly(
            "sluice.yaml:16:9: pipelines.analyze.steps.summarize.default: step 'summarize':"
                + " onFailure: default needs a 'default' output");
  }

  @Test
  void aVariantNamingAnUnknownPipelineListsThePipelines() {
    assertThat(pipelineProblems("- {pipeline: analyze}", "- {pipeline: analyse}"))
        .containsExactly(
            "sluice.yaml:34:22: apps.mixed.route.variants[1].pipeline: 'analyse' is not a"
                + " pipeline in this file (pipelines: analyze)");
    assertThat(pipelineProblems("pipeline: analyze\n  mixed", "pipeline: nope\n  mixed"))
        .singleElement()
        .satisfies(p -> assertThat(p).contains("apps.analyze.pipeline: 'nope' is not a pipeline"));
  }

  @Test
  void aTargetIsADeploymentOrAPipelineNotBothNorNeither() {
    assertThat(pipelineProblems("- {pipeline: analyze}", "- {pipeline: analyze, deployment: pre}"))
        .singleElement()
        .satisfies(p -> assertThat(p).contains("apps.mixed.route.variants[1]: "));
    assertThat(
            pipelineProblems(
                "  analyze:\n    pipeline: analyze",
                "  analyze:\n    pipeline: analyze\n    route: {variants: [{deployment: pre}]}"))
        .singleElement()
        .satisfies(p -> assertThat(p).contains("apps.analyze: "));
  }

  @Test
  void pipelineShapeErrorsAreSchemaProblemsReportedOnce() {
    List<String> p =
        problems(
                """
                apiVersion: sluice.io/v1
                deployments: {d: {function: x}}
                pipelines:
                  p:
                    steps: [{deployment: d}]
                    output: 1
                  q:
                    steps: {s: {deployment: d, chat: {role: user}, maxTokens: 0}}
                    output: $/steps/s
                  r: 7
                apps: {a: {pipeline: p}}
                """)
            .stream()
            .map(ManifestProblem::toString)
            .toList();
    assertThat(p).anySatisfy(x -> assertThat(x).contains("pipelines.p.steps: "));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("pipelines.q.steps.s.chat: "));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("pipelines.q.steps.s.maxTokens: "));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("pipelines.r: "));
    assertThat(p).doesNotHaveDuplicates();
    assertThat(p.stream().map(x -> x.substring(0, x.indexOf(": ", x.indexOf("pipelines")))))
        .doesNotHaveDuplicates();
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
