package io.sluice.schemas.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class PipelineGraphTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The example of docs/PIPELINES.md, in the JSON form the manifest loader hands over. */
  static final String ANALYZE =
      """
      {
        "timeoutSeconds": 120,
        "steps": {
          "preprocess": {"deployment": "preprocess"},
          "sentiment": {
            "deployment": "sentiment",
            "input": {"text": "$/steps/preprocess/text"}
          },
          "summarize": {
            "deployment": "chat-llm",
            "when": {"value": "$/steps/preprocess/words", "gte": 30},
            "chat": [
              {"role": "system", "content": "Summarise the text in one sentence."},
              {"role": "user", "content": "$/steps/preprocess/text"}
            ],
            "maxTokens": 64,
            "onFailure": "skip"
          }
        },
        "output": {
          "original_length": "$/steps/preprocess/length",
          "sentiment": "$/steps/sentiment",
          "summary": "$/steps/summarize/content"
        }
      }
      """;

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static PipelineGraph parse(String text) {
    return PipelineGraph.parse("p", json(text), d -> true);
  }

  /** The problems of a definition that must not compile. */
  static List<PipelineProblem> problems(String text, Predicate<String> deployments) {
    InvalidPipelineException e =
        assertThrows(
            InvalidPipelineException.class,
            () -> PipelineGraph.parse("p", json(text), deployments));
    assertThat(e.getMessage()).startsWith("pipeline 'p': ");
    return e.problems();
  }

  static List<PipelineProblem> problems(String text) {
    return problems(text, d -> true);
  }

  /** The only problem of a definition that must have exactly one. */
  static PipelineProblem problem(String text) {
    List<PipelineProblem> all = problems(text);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  @Test
  void theDocumentedExampleCompiles() {
    PipelineGraph g =
        PipelineGraph.parse(
            "analyze",
            json(ANALYZE),
            Set.of("preprocess", "sentiment", "chat-llm", "unused")::contains);

    assertThat(g.name()).isEqualTo("analyze");
    assertThat(g.steps())
        .extracting(PipelineGraph.Step::name)
        .containsExactly("preprocess", "sentiment", "summarize");
    assertThat(g.steps()).extracting(PipelineGraph.Step::index).containsExactly(0, 1, 2);
    assertThat(g.timeoutMs()).isEqualTo(120_000L);
    assertThat(g.deployments()).containsExactly("preprocess", "sentiment", "chat-llm");
    assertThat(json(g.json())).isEqualTo(json(ANALYZE));

    PipelineGraph.Step pre = g.step("preprocess");
    assertThat(pre.kind()).isEqualTo(PipelineGraph.InputKind.REQUEST);
    assertThat(pre.reads()).isEmpty();
    assertThat(pre.onFailure()).isEqualTo(PipelineGraph.OnFailure.FAIL);
    assertThat(pre.when()).isNull();
    assertThat(pre.stream()).isFalse();

    PipelineGraph.Step sentiment = g.step("sentiment");
    assertThat(sentiment.kind()).isEqualTo(PipelineGraph.InputKind.JSON);
    assertThat(sentiment.reads()).containsExactly("preprocess");

    PipelineGraph.Step summarize = g.step("summarize");
    assertThat(summarize.deployment()).isEqualTo("chat-llm");
    assertThat(summarize.kind()).isEqualTo(PipelineGraph.InputKind.CHAT);
    assertThat(summarize.reads()).containsExactly("preprocess");
    assertThat(summarize.maxTokens()).isEqualTo(64);
    assertThat(summarize.temperature()).isNull();
    assertThat(summarize.onFailure()).isEqualTo(PipelineGraph.OnFailure.SKIP);
    assertThat(summarize.chat())
        .extracting(PipelineGraph.ChatMessageTemplate::role)
        .containsExactly("system", "user");
    assertThat(summarize.when()).isNotNull();
    assertThat(g.step("nope")).isNull();

    assertThat(g.output().stepsRead())
        .containsExactlyInAnyOrder("preprocess", "sentiment", "summarize");
  }

  @Test
  void readsAreTheStepsReferencedByInputChatPromptAndCondition() {
    PipelineGraph g =
        parse(
            """
            {"steps": {
               "a": {"deployment": "d"},
               "b": {"deployment": "d"},
               "c": {"deployment": "d"},
               "byInput": {"deployment": "d", "input": {"x": ["$/steps/a/x", {"y": "$/steps/b"}]}},
               "byPrompt": {"deployment": "d", "prompt": "$/steps/c/text"},
               "byChat": {"deployment": "d", "chat": [{"role": "user", "content": {"q": "$/steps/a"}}]},
               "byWhen": {"deployment": "d",
                          "when": {"any": [{"value": "$/steps/b/n", "gt": 1},
                                           {"not": {"value": "$/steps/c", "exists": true}}]}},
               "byBoth": {"deployment": "d", "input": "$/steps/a", "when": {"value": "$/steps/b", "eq": 1}},
               "requestOnly": {"deployment": "d", "input": {"r": "$/request", "m": "$/model",
                               "at": "$/attributes/user", "lit": "$$/steps/c"}}
             },
             "output": ["$/steps/byInput", "$/steps/byPrompt", "$/steps/byChat",
                        "$/steps/byWhen", "$/steps/byBoth", "$/steps/requestOnly"]}
            """);
    assertThat(g.step("byInput").reads()).containsExactlyInAnyOrder("a", "b");
    assertThat(g.step("byPrompt").reads()).containsExactly("c");
    assertThat(g.step("byPrompt").kind()).isEqualTo(PipelineGraph.InputKind.PROMPT);
    assertThat(g.step("byChat").reads()).containsExactly("a");
    assertThat(g.step("byWhen").reads()).containsExactlyInAnyOrder("b", "c");
    assertThat(g.step("byWhen").kind()).isEqualTo(PipelineGraph.InputKind.REQUEST);
    assertThat(g.step("byBoth").reads()).containsExactlyInAnyOrder("a", "b");
    assertThat(g.step("requestOnly").reads()).isEmpty();
    assertThat(g.deployments()).containsExactly("d");
  }

  @Test
  void timeoutDefaultsToThreeHundredSeconds() {
    PipelineGraph g =
        parse("{\"steps\": {\"a\": {\"deployment\": \"d\"}}, \"output\": \"$/steps/a\"}");
    assertThat(g.timeoutMs()).isEqualTo(300_000L);
    PipelineGraph given =
        parse(
            """
            {"timeoutSeconds": 7, "steps": {"a": {"deployment": "d"}}, "output": "$/steps/a"}
            """);
    assertThat(given.timeoutMs()).isEqualTo(7_000L);
  }

  @Test
  void unknownKeyInAStepNamesTheStepAndTheKey() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a": {"deployment": "d", "inptu": {}}}, "output": "$/steps/a"}
            """);
    assertThat(p.step()).isEqualTo("a");
    assertThat(p.path()).isEqualTo("steps.a.inptu");
    assertThat(p.message()).contains("step 'a'").contains("inptu").contains("input");
  }

  @Test
  void unknownKeyAtTopLevelIsAPipelineProblem() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a": {"deployment": "d"}}, "output": "$/steps/a", "timeout": 3}
            """);
    assertThat(p.step()).isNull();
    assertThat(p.path()).isEqualTo("timeout");
    assertThat(p.message()).contains("'timeout'").contains("timeoutSeconds");
  }

  @Test
  void missingDeploymentIsReported() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a": {"input": {}}}, "output": "$/steps/a"}
            """);
    assertThat(p.step()).isEqualTo("a");
    assertThat(p.path()).isEqualTo("steps.a.deployment");
    assertThat(p.message()).contains("step 'a'").contains("deployment is required");
  }

  @Test
  void undeclaredDeploymentIsReported() {
    List<PipelineProblem> all =
        problems(
            """
            {"steps": {"a": {"deployment": "known"}, "b": {"deployment": "ghost", "input": "$/steps/a"}},
             "output": "$/steps/b"}
            """,
            "known"::equals);
    assertThat(all).hasSize(1);
    assertThat(all.get(0).step()).isEqualTo("b");
    assertThat(all.get(0).path()).isEqualTo("steps.b.deployment");
    assertThat(all.get(0).message()).contains("step 'b'").contains("'ghost'");
  }

  @Test
  void referenceToAnUnknownStepIsReportedWhereverItIs() {
    for (String step :
        List.of(
            "{\"deployment\": \"d\", \"input\": {\"x\": \"$/steps/ghost/x\"}}",
            "{\"deployment\": \"d\", \"chat\": [{\"role\": \"user\", \"content\": \"$/steps/ghost\"}]}",
            "{\"deployment\": \"d\", \"prompt\": \"$/steps/ghost/text\"}",
            "{\"deployment\": \"d\", \"when\": {\"value\": \"$/steps/ghost/n\", \"lt\": 3}}")) {
      PipelineProblem p = problem("{\"steps\": {\"a\": " + step + "}, \"output\": \"$/steps/a\"}");
      assertThat(p.step()).as(step).isEqualTo("a");
      assertThat(p.path()).as(step).isEqualTo("steps.a");
      assertThat(p.message())
          .as(step)
          .contains("step 'a'")
          .contains("'ghost'")
          .contains("(steps: a)");
    }
    PipelineProblem out =
        problem(
            """
            {"steps": {"a": {"deployment": "d"}}, "output": {"x": "$/steps/a", "y": "$/steps/ghost"}}
            """);
    assertThat(out.step()).isNull();
    assertThat(out.path()).isEqualTo("output");
    assertThat(out.message()).contains("output").contains("'ghost'");
  }

  @Test
  void aStepReadingItselfIsReportedOnce() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a": {"deployment": "d", "input": "$/steps/a/x"}}, "output": "$/steps/a"}
            """);
    assertThat(p.step()).isEqualTo("a");
    assertThat(p.path()).isEqualTo("steps.a");
    assertThat(p.message()).contains("step 'a'").contains("its own output");
  }

  @Test
  void aThreeStepCycleIsReportedOnceNamingItsSteps() {
    PipelineProblem p =
        problem(
            """
            {"steps": {
               "a": {"deployment": "d", "input": "$/steps/c"},
               "b": {"deployment": "d", "input": "$/steps/a"},
               "c": {"deployment": "d", "input": "$/steps/b"}},
             "output": "$/steps/c"}
            """);
    assertThat(p.step()).isIn("a", "b", "c");
    assertThat(p.path()).isEqualTo("steps." + p.step());
    assertThat(p.message()).contains("cycle").contains("a").contains("b").contains("c");
    // Each edge of the cycle appears in the message, in the direction "x reads the next".
    assertThat(p.message()).contains("a -> c -> b -> a");
  }

  @Test
  void aStepNobodyReadsIsReported() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a": {"deployment": "d"}, "orphan": {"deployment": "d"}}, "output": "$/steps/a"}
            """);
    assertThat(p.step()).isEqualTo("orphan");
    assertThat(p.path()).isEqualTo("steps.orphan");
    assertThat(p.message()).contains("step 'orphan'").contains("reads it");
  }

  @Test
  void onFailureDefaultAndDefaultGoTogether() {
    PipelineProblem noDefault =
        problem(
            """
            {"steps": {"a": {"deployment": "d", "onFailure": "default"}}, "output": "$/steps/a"}
            """);
    assertThat(noDefault.step()).isEqualTo("a");
    assertThat(noDefault.path()).isEqualTo("steps.a.default");
    assertThat(noDefault.message()).contains("step 'a'").contains("needs a 'default'");

    for (String onFailure : List.of("", ", \"onFailure\": \"skip\"")) {
      PipelineProblem stray =
          problem(
              "{\"steps\": {\"a\": {\"deployment\": \"d\", \"default\": {}"
                  + onFailure
                  + "}}, \"output\": \"$/steps/a\"}");
      assertThat(stray.step()).isEqualTo("a");
      assertThat(stray.path()).isEqualTo("steps.a.default");
      assertThat(stray.message())
          .contains("step 'a'")
          .contains("only used with onFailure: default");
    }

    PipelineGraph ok =
        parse(
            """
            {"steps": {"a": {"deployment": "d", "onFailure": "default", "default": {"n": 0}}},
             "output": "$/steps/a"}
            """);
    assertThat(ok.step("a").onFailure()).isEqualTo(PipelineGraph.OnFailure.DEFAULT);
    assertThat(ok.step("a").defaultOutput()).isEqualTo(json("{\"n\": 0}"));
  }

  @Test
  void badOnFailureValueIsReported() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a": {"deployment": "d", "onFailure": "retry"}}, "output": "$/steps/a"}
            """);
    assertThat(p.path()).isEqualTo("steps.a.onFailure");
    assertThat(p.message()).contains("step 'a'").contains("retry");
  }

  @Test
  void twoOfInputChatPromptAreReported() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a": {"deployment": "d", "input": {}, "prompt": "hi"}}, "output": "$/steps/a"}
            """);
    assertThat(p.step()).isEqualTo("a");
    assertThat(p.path()).isEqualTo("steps.a");
    assertThat(p.message()).contains("step 'a'").contains("[input, prompt]");
  }

  @Test
  void aStepNameWithASlashIsReported() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a/b": {"deployment": "d"}}, "output": "$/steps/a~1b"}
            """);
    assertThat(p.step()).isEqualTo("a/b");
    assertThat(p.path()).isEqualTo("steps.a/b");
    assertThat(p.message()).contains("step 'a/b'").contains("step name");
  }

  @Test
  void malformedReferencesAreReported() {
    for (String ref : List.of("$steps/x", "$/foo", "$/steps", "$")) {
      PipelineProblem p =
          problem(
              "{\"steps\": {\"a\": {\"deployment\": \"d\"},"
                  + " \"b\": {\"deployment\": \"d\", \"input\": {\"v\": [1, \""
                  + ref
                  + "\"]}}}, \"output\": [\"$/steps/a\", \"$/steps/b\"]}");
      assertThat(p.step()).as(ref).isEqualTo("b");
      assertThat(p.path()).as(ref).isEqualTo("steps.b.input.v[1]");
      assertThat(p.message()).as(ref).contains("step 'b'").contains("'" + ref + "'");
    }
    PipelineProblem inOutput =
        problem(
            """
            {"steps": {"a": {"deployment": "d"}}, "output": {"a": "$/steps/a", "b": "$/foo"}}
            """);
    assertThat(inOutput.step()).isNull();
    assertThat(inOutput.path()).isEqualTo("output.b");
  }

  @Test
  void badConditionShapesAreReported() {
    record Case(String when, String path, String text) {}
    for (Case c :
        List.of(
            new Case("{\"value\": 1, \"eq\": 1, \"ne\": 2}", "steps.a.when", "one op"),
            new Case("{\"value\": 1, \"like\": 1}", "steps.a.when", "like"),
            new Case("{\"eq\": 1}", "steps.a.when", "one op"),
            new Case("{\"value\": 1, \"in\": 1}", "steps.a.when.in", "'in' takes a list"),
            new Case("{\"value\": 1, \"exists\": 1}", "steps.a.when.exists", "true/false"),
            new Case("{\"value\": 1, \"gt\": [1]}", "steps.a.when.gt", "number or a string"),
            new Case("{\"all\": []}", "steps.a.when", "non-empty list"),
            new Case("{\"any\": {}}", "steps.a.when", "non-empty list"),
            new Case(
                "{\"all\": [{\"value\": 1, \"eq\": 1}], \"value\": 1}", "steps.a.when", "alone"),
            new Case("{\"not\": {\"value\": 1, \"eq\": 1}, \"value\": 1}", "steps.a.when", "alone"),
            new Case(
                "{\"all\": [{\"value\": 1, \"eq\": 1}, {\"not\": {}}]}",
                "steps.a.when.all[1].not",
                "a condition is an object"),
            new Case("[]", "steps.a.when", "a condition is an object"))) {
      PipelineProblem p =
          problem(
              "{\"steps\": {\"a\": {\"deployment\": \"d\", \"when\": "
                  + c.when()
                  + "}}, \"output\": \"$/steps/a\"}");
      assertThat(p.step()).as(c.when()).isEqualTo("a");
      assertThat(p.path()).as(c.when()).isEqualTo(c.path());
      assertThat(p.message()).as(c.when()).contains("step 'a'").contains(c.text());
    }
  }

  @Test
  void everyBadPartOfAConditionIsReported() {
    List<PipelineProblem> all =
        problems(
            """
            {"steps": {"a": {"deployment": "d",
               "when": {"all": [{"eq": 1}, {"value": 1, "like": 2}, {"not": {"value": "$/foo", "eq": 1}}]}}},
             "output": "$/steps/a"}
            """);
    assertThat(all)
        .extracting(PipelineProblem::path)
        .containsExactly(
            "steps.a.when.all[0]", "steps.a.when.all[1]", "steps.a.when.all[2].not.value");
  }

  @Test
  void maxTokensBeyondAnIntIsReported() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a": {"deployment": "d", "prompt": "hi", "maxTokens": 4294967297}}, "output": "$/steps/a"}
            """);
    assertThat(p.path()).isEqualTo("steps.a.maxTokens");
  }

  @Test
  void aStreamingStepMayNotBeReadByAnotherStep() {
    PipelineProblem p =
        problem(
            """
            {"steps": {
               "gen": {"deployment": "d", "prompt": "hi", "stream": true},
               "post": {"deployment": "d", "input": "$/steps/gen/text"}},
             "output": "$/steps/post"}
            """);
    assertThat(p.step()).isEqualTo("gen");
    assertThat(p.path()).isEqualTo("steps.gen.stream");
    assertThat(p.message()).contains("step 'gen'").contains("'post'");
  }

  @Test
  void onlyOneStepMayStream() {
    PipelineProblem p =
        problem(
            """
            {"steps": {
               "x": {"deployment": "d", "prompt": "hi", "stream": true},
               "y": {"deployment": "d", "chat": [{"role": "user", "content": "hi"}], "stream": true}},
             "output": ["$/steps/x", "$/steps/y"]}
            """);
    assertThat(p.step()).isEqualTo("y");
    assertThat(p.path()).isEqualTo("steps.y.stream");
    assertThat(p.message()).contains("[x, y]");
  }

  @Test
  void aStreamingStepReadOnlyByTheOutputCompiles() {
    PipelineGraph g =
        parse(
            """
            {"steps": {
               "pre": {"deployment": "d"},
               "gen": {"deployment": "d", "prompt": "$/steps/pre/text", "stream": true, "temperature": 0.5}},
             "output": "$/steps/gen/text"}
            """);
    assertThat(g.step("gen").stream()).isTrue();
    assertThat(g.step("gen").temperature()).isEqualTo(0.5);
  }

  @Test
  void samplingOnAJsonStepIsReported() {
    PipelineProblem p =
        problem(
            """
            {"steps": {"a": {"deployment": "d", "input": {}, "maxTokens": 5}}, "output": "$/steps/a"}
            """);
    assertThat(p.step()).isEqualTo("a");
    assertThat(p.path()).isEqualTo("steps.a");
    assertThat(p.message()).contains("step 'a'").contains("maxTokens");
  }

  @Test
  void everyProblemOfABadPipelineIsReportedAtOnce() {
    List<PipelineProblem> all =
        problems(
            """
            {"extra": 1,
             "steps": {
               "a": {"deployment": "ghost", "input": {}, "prompt": "x", "colour": "red"},
               "b": {"input": "$/steps/nope", "onFailure": "default"},
               "c": {"deployment": "d", "when": {"value": 1, "eq": 1, "ne": 1}},
               "e": {"deployment": "d", "input": "$/steps/f"},
               "f": {"deployment": "d", "input": "$/steps/e", "maxTokens": 3}},
             "output": {"a": "$/steps/a", "b": "$/steps/b", "c": "$/steps/c", "e": "$/oops"}}
            """,
            "d"::equals);
    assertThat(all)
        .extracting(PipelineProblem::path)
        .containsExactlyInAnyOrder(
            "extra", // unknown top-level key
            "steps.a.colour", // unknown step key
            "steps.a.deployment", // undeclared deployment
            "steps.a", // input and prompt
            "steps.b.deployment", // missing deployment
            "steps.b.default", // onFailure default without default
            "steps.c.when", // two ops
            "steps.f", // maxTokens on a JSON step
            "output.e", // malformed reference
            "steps.b", // unknown step 'nope'
            "steps.e"); // the cycle e -> f -> e, reported once on e
    assertThat(all).hasSize(11);
    assertThat(all.stream().filter(p -> p.message().contains("cycle"))).hasSize(1);
  }

  @Test
  void notAnObjectAndMissingPartsAreReported() {
    assertThat(problems("[]")).extracting(PipelineProblem::path).containsExactly("");
    assertThat(problems("{}"))
        .extracting(PipelineProblem::path)
        .containsExactlyInAnyOrder("steps", "output");
    assertThat(
            problems(
                """
                {"timeoutSeconds": 0, "steps": {"a": {"deployment": "d"}}, "output": "$/steps/a"}
                """))
        .extracting(PipelineProblem::path)
        .containsExactly("timeoutSeconds");
  }

  @Test
  void parseOfTextThatIsNotJson() {
    assertThatThrownBy(() -> PipelineGraph.parse("broken", "{steps: nope"))
        .isInstanceOfSatisfying(
            InvalidPipelineException.class,
            e -> {
              assertThat(e.problems()).hasSize(1);
              assertThat(e.problems().get(0).step()).isNull();
              assertThat(e.problems().get(0).message()).startsWith("not JSON: ");
              assertThat(e.getMessage()).startsWith("pipeline 'broken': ");
            });
    for (String text : List.of("", "{\"steps\": {}} {\"more\": 1}", ANALYZE + " trailing")) {
      assertThatThrownBy(() -> PipelineGraph.parse("broken", text))
          .as("'%s'", text)
          .isInstanceOfSatisfying(
              InvalidPipelineException.class,
              e -> assertThat(e.problems()).hasSize(1).allMatch(p -> p.path().isEmpty()));
    }
    PipelineGraph g = PipelineGraph.parse("analyze", ANALYZE);
    assertThat(g.deployments()).containsExactly("preprocess", "sentiment", "chat-llm");
  }
}
