package io.sluice.schemas.pipeline;

import static io.sluice.schemas.pipeline.PipelineGraphTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TemplateTest {
  static final JsonNode DOC =
      json(
          """
          {"request": {"text": "hello world", "n": 3},
           "attributes": {"user": "u-1"},
           "model": "m-7",
           "steps": {
             "pre": {"text": "hello", "words": 2, "tokens": ["he", "llo"], "nested": {"k": null}},
             "list": [{"y": "first"}, {"y": "second"}],
             "x": {"y": ["zero", "one"]}}}
          """);

  private static Template compile(String template) {
    List<PipelineProblem> problems = new ArrayList<>();
    Template t = Template.compile(json(template), "s", "steps.s.input", problems);
    assertThat(problems).isEmpty();
    return t;
  }

  private static JsonNode render(String template) {
    return compile(template).render(DOC);
  }

  @Test
  void nestedObjectsAndArraysAreRenderedWithTheirReferencesReplaced() {
    Template t =
        compile(
            """
            {"a": {"b": ["$/steps/pre/text", 1, {"c": "$/steps/pre/words"}], "lit": "plain"},
             "whole": "$/steps/pre/tokens", "n": null, "t": true, "d": 2.5}
            """);
    assertThat(t.render(DOC))
        .isEqualTo(
            json(
                """
                {"a": {"b": ["hello", 1, {"c": 2}], "lit": "plain"},
                 "whole": ["he", "llo"], "n": null, "t": true, "d": 2.5}
                """));
    assertThat(t.stepsRead()).containsExactly("pre");
  }

  @Test
  void aLiteralTemplateRendersAsItself() {
    assertThat(render("\"plain text\"")).isEqualTo(json("\"plain text\""));
    assertThat(render("42")).isEqualTo(json("42"));
    assertThat(render("[]")).isEqualTo(json("[]"));
    assertThat(compile("{\"k\": [1, \"x\"]}").stepsRead()).isEmpty();
  }

  @Test
  void aMissingReferenceRendersAsNull() {
    assertThat(
            render(
                """
                {"a": "$/steps/pre/absent", "b": "$/steps/nosuch/x", "c": "$/request/text/deeper",
                 "d": "$/steps/list/9", "e": "$/steps/pre/nested/k"}
                """))
        .isEqualTo(json("{\"a\": null, \"b\": null, \"c\": null, \"d\": null, \"e\": null}"));
    JsonNode missingInArray = render("[\"$/attributes/nobody\"]");
    assertThat(missingInArray.get(0).isNull()).isTrue();
  }

  @Test
  void doubleDollarIsTheLiteralStringWithoutItsFirstDollar() {
    Template t = compile("{\"price\": \"$$5\", \"ref\": \"$$/steps/pre/text\", \"two\": \"$$$\"}");
    assertThat(t.render(DOC))
        .isEqualTo(json("{\"price\": \"$5\", \"ref\": \"$/steps/pre/text\", \"two\": \"$$\"}"));
    assertThat(t.stepsRead()).isEmpty();
  }

  @Test
  void referencesReadEveryPartOfTheDocument() {
    assertThat(render("\"$/request\"")).isEqualTo(DOC.get("request"));
    assertThat(render("\"$/request/text\"")).isEqualTo(json("\"hello world\""));
    assertThat(render("\"$/attributes\"")).isEqualTo(json("{\"user\": \"u-1\"}"));
    assertThat(render("\"$/attributes/user\"")).isEqualTo(json("\"u-1\""));
    assertThat(render("\"$/model\"")).isEqualTo(json("\"m-7\""));
    assertThat(render("\"$/steps/x/y/0\"")).isEqualTo(json("\"zero\""));
    assertThat(render("\"$/steps/x/y/1\"")).isEqualTo(json("\"one\""));
    assertThat(render("\"$/steps/list/1/y\"")).isEqualTo(json("\"second\""));
    assertThat(compile("\"$/steps/x/y/0\"").stepsRead()).containsExactly("x");
    assertThat(compile("[\"$/request\", \"$/model\", \"$/attributes/user\"]").stepsRead())
        .isEmpty();
  }

  @Test
  void escapedPointerSegmentsAreUnescaped() {
    JsonNode doc = json("{\"steps\": {\"a/b\": {\"k~\": 1}}}");
    List<PipelineProblem> problems = new ArrayList<>();
    Template t = Template.compile(json("\"$/steps/a~1b/k~0\""), "s", "p", problems);
    assertThat(problems).isEmpty();
    assertThat(t.stepsRead()).containsExactly("a/b");
    assertThat(t.render(doc)).isEqualTo(json("1"));
  }

  @Test
  void theNullDocumentModelIsRenderedAsNull() {
    JsonNode doc = json("{\"request\": {}, \"attributes\": {}, \"model\": null, \"steps\": {}}");
    assertThat(compile("{\"m\": \"$/model\"}").render(doc)).isEqualTo(json("{\"m\": null}"));
  }

  @Test
  void malformedReferencesAddAProblemAndRenderAsNull() {
    List<PipelineProblem> problems = new ArrayList<>();
    Template t =
        Template.compile(
            json("{\"a\": \"$steps/x\", \"b\": [\"$/foo\", \"$/steps\"], \"c\": \"$/steps/pre\"}"),
            "s",
            "steps.s.input",
            problems);
    assertThat(problems)
        .extracting(PipelineProblem::path)
        .containsExactly("steps.s.input.a", "steps.s.input.b[0]", "steps.s.input.b[1]");
    assertThat(problems).allSatisfy(p -> assertThat(p.step()).isEqualTo("s"));
    assertThat(t.stepsRead()).containsExactly("pre");
    assertThat(t.render(DOC).get("a").isNull()).isTrue();
    assertThat(t.render(DOC).get("b")).isEqualTo(json("[null, null]"));
  }

  @Test
  void theWholeRequestTemplateIsTheRequest() {
    assertThat(Template.wholeRequest().render(DOC)).isEqualTo(DOC.get("request"));
    assertThat(Template.wholeRequest().stepsRead()).isEmpty();
  }
}
