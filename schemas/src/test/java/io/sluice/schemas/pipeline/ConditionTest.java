package io.sluice.schemas.pipeline;

import static io.sluice.schemas.pipeline.PipelineGraphTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionTest {
  static final JsonNode DOC =
      json(
          """
          {"request": {"lang": "en"},
           "attributes": {"tier": "gold"},
           "model": null,
           "steps": {
             "pre": {"words": 30, "ratio": 0.5, "name": "bob", "nothing": null,
                     "tags": ["a"], "obj": {"k": 1}, "flag": true}}}
          """);

  private static Condition compile(String condition) {
    List<PipelineProblem> problems = new ArrayList<>();
    Condition c = Condition.compile(json(condition), "s", "steps.s.when", problems);
    assertThat(problems).as(condition).isEmpty();
    assertThat(c).as(condition).isNotNull();
    return c;
  }

  private static boolean test(String value, String op, String operand) {
    return compile("{\"value\": " + value + ", \"" + op + "\": " + operand + "}").test(DOC);
  }

  private static final String WORDS = "\"$/steps/pre/words\"";
  private static final String NAME = "\"$/steps/pre/name\"";

  @Test
  void numbersCompareAsNumbersWhateverTheirJsonType() {
    assertThat(test(WORDS, "eq", "30")).isTrue();
    assertThat(test(WORDS, "eq", "30.0")).isTrue();
    assertThat(test(WORDS, "ne", "30.0")).isFalse();
    assertThat(test(WORDS, "ne", "31")).isTrue();
    assertThat(test(WORDS, "eq", "31")).isFalse();
    assertThat(test(WORDS, "gte", "30.0")).isTrue();
    assertThat(test(WORDS, "gte", "30")).isTrue();
    assertThat(test(WORDS, "gte", "30.5")).isFalse();
    assertThat(test(WORDS, "gt", "29.9")).isTrue();
    assertThat(test(WORDS, "gt", "30")).isFalse();
    assertThat(test(WORDS, "lt", "30.1")).isTrue();
    assertThat(test(WORDS, "lt", "30")).isFalse();
    assertThat(test(WORDS, "lte", "30.0")).isTrue();
    assertThat(test(WORDS, "lte", "29")).isFalse();
    assertThat(test("\"$/steps/pre/ratio\"", "lt", "1")).isTrue();
    assertThat(test("\"$/steps/pre/ratio\"", "gt", "0.49")).isTrue();
    assertThat(test("\"$/steps/pre/ratio\"", "eq", "0.50")).isTrue();
  }

  @Test
  void numbersBeyondTheDoubleRangeCompareWithoutThrowing() {
    JsonNode doc = json("{\"steps\": {\"pre\": {\"big\": 1e400, \"small\": -1e400}}}");
    assertThat(compile("{\"value\": \"$/steps/pre/big\", \"gt\": 1}").test(doc)).isTrue();
    assertThat(compile("{\"value\": \"$/steps/pre/small\", \"lt\": 1}").test(doc)).isTrue();
    assertThat(compile("{\"value\": \"$/steps/pre/big\", \"eq\": 1}").test(doc)).isFalse();
    assertThat(compile("{\"value\": \"$/steps/pre/big\", \"in\": [1, 2]}").test(doc)).isFalse();
  }

  @Test
  void stringsCompareAsStrings() {
    assertThat(test(NAME, "eq", "\"bob\"")).isTrue();
    assertThat(test(NAME, "ne", "\"bob\"")).isFalse();
    assertThat(test(NAME, "gt", "\"alice\"")).isTrue();
    assertThat(test(NAME, "lt", "\"carol\"")).isTrue();
    assertThat(test(NAME, "gte", "\"bob\"")).isTrue();
    assertThat(test(NAME, "lte", "\"bo\"")).isFalse();
    // Lexicographic, not numeric: "10" < "9".
    assertThat(test("\"10\"", "lt", "\"9\"")).isTrue();
  }

  @Test
  void differentlyTypedValuesNeverPassAnOrderingTest() {
    for (String op : List.of("gt", "gte", "lt", "lte")) {
      assertThat(test(NAME, op, "1")).as(op).isFalse();
      assertThat(test(WORDS, op, "\"30\"")).as(op).isFalse();
      assertThat(test("\"$/steps/pre/missing\"", op, "0")).as(op).isFalse();
      assertThat(test("\"$/steps/pre/nothing\"", op, "\"\"")).as(op).isFalse();
      assertThat(test("\"$/steps/pre/tags\"", op, "1")).as(op).isFalse();
      assertThat(test("\"$/steps/pre/flag\"", op, "0")).as(op).isFalse();
    }
    assertThat(test(WORDS, "eq", "\"30\"")).isFalse();
    assertThat(test(WORDS, "ne", "\"30\"")).isTrue();
  }

  @Test
  void eqAndNeAreJsonEquality() {
    assertThat(test("\"$/steps/pre/tags\"", "eq", "[\"a\"]")).isTrue();
    assertThat(test("\"$/steps/pre/obj\"", "eq", "{\"k\": 1}")).isTrue();
    assertThat(test("\"$/steps/pre/obj\"", "ne", "{\"k\": 2}")).isTrue();
    assertThat(test("\"$/steps/pre/flag\"", "eq", "true")).isTrue();
    assertThat(test("\"$/steps/pre/nothing\"", "eq", "null")).isTrue();
    assertThat(test("\"$/steps/pre/missing\"", "eq", "null")).isTrue();
    assertThat(test("\"$/model\"", "eq", "null")).isTrue();
    assertThat(test("\"$/attributes/tier\"", "eq", "\"gold\"")).isTrue();
  }

  @Test
  void existsIsPresentAndNotNull() {
    assertThat(test(WORDS, "exists", "true")).isTrue();
    assertThat(test(WORDS, "exists", "false")).isFalse();
    assertThat(test("\"$/steps/pre/missing\"", "exists", "true")).isFalse();
    assertThat(test("\"$/steps/pre/missing\"", "exists", "false")).isTrue();
    assertThat(test("\"$/steps/pre/nothing\"", "exists", "true")).isFalse();
    assertThat(test("\"$/steps/pre/nothing\"", "exists", "false")).isTrue();
    assertThat(test("\"$/steps/ghost/x\"", "exists", "false")).isTrue();
    // A literal value exists; false is a value.
    assertThat(test("false", "exists", "true")).isTrue();
  }

  @Test
  void inTestsMembershipWithJsonEquality() {
    assertThat(test(NAME, "in", "[\"alice\", \"bob\"]")).isTrue();
    assertThat(test(NAME, "in", "[\"alice\"]")).isFalse();
    assertThat(test(NAME, "in", "[]")).isFalse();
    assertThat(test(WORDS, "in", "[1, 30.0]")).isTrue();
    assertThat(test(WORDS, "in", "[\"30\"]")).isFalse();
    assertThat(test("\"$/steps/pre/missing\"", "in", "[null]")).isTrue();
    assertThat(test("\"$/request/lang\"", "in", "[\"de\", \"en\"]")).isTrue();
  }

  @Test
  void allAnyAndNotNest() {
    String yes = "{\"value\": " + WORDS + ", \"eq\": 30}";
    String no = "{\"value\": " + WORDS + ", \"eq\": 31}";
    assertThat(compile("{\"all\": [" + yes + ", " + yes + "]}").test(DOC)).isTrue();
    assertThat(compile("{\"all\": [" + yes + ", " + no + "]}").test(DOC)).isFalse();
    assertThat(compile("{\"all\": [" + no + ", " + yes + "]}").test(DOC)).isFalse();
    assertThat(compile("{\"any\": [" + no + ", " + yes + "]}").test(DOC)).isTrue();
    assertThat(compile("{\"any\": [" + yes + ", " + no + "]}").test(DOC)).isTrue();
    assertThat(compile("{\"any\": [" + no + ", " + no + "]}").test(DOC)).isFalse();
    assertThat(compile("{\"not\": " + yes + "}").test(DOC)).isFalse();
    assertThat(compile("{\"not\": " + no + "}").test(DOC)).isTrue();
    assertThat(compile("{\"not\": {\"not\": " + yes + "}}").test(DOC)).isTrue();
    Condition nested =
        compile(
            "{\"all\": [{\"any\": ["
                + no
                + ", {\"not\": "
                + no
                + "}]}, {\"not\": {\"all\": ["
                + yes
                + ", "
                + no
                + "]}}]}");
    assertThat(nested.test(DOC)).isTrue();
    Condition nestedFalse =
        compile("{\"any\": [{\"all\": [" + yes + ", " + no + "]}, {\"not\": " + yes + "}]}");
    assertThat(nestedFalse.test(DOC)).isFalse();
  }

  @Test
  void stepsReadAreCollectedThroughNesting() {
    Condition c =
        compile(
            """
            {"all": [{"value": "$/steps/a/x", "eq": 1},
                     {"not": {"any": [{"value": {"k": "$/steps/b"}, "exists": true},
                                      {"value": "$/request/q", "eq": 1}]}}]}
            """);
    assertThat(c.stepsRead()).containsExactlyInAnyOrder("a", "b");
  }
}
