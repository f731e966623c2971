package io.sluice.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCompareTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode report(Object... idAndMedian) {
    ObjectNode r = JSON.createObjectNode();
    var goals = r.putArray("goals");
    for (int i = 0; i < idAndMedian.length; i += 2) {
      ObjectNode g = goals.addObject();
      String id = (String) idAndMedian[i];
      g.put("id", id);
      g.put("title", "goal " + id);
      g.put("unit", "ratio");
      g.put("median", ((Number) idAndMedian[i + 1]).doubleValue());
      // ids starting "ctx-" stand for context rows (no target), the others for goals
      g.put("verdict", id.startsWith("ctx-") ? "info" : "pass");
    }
    return r;
  }

  @Test
  void goalsAgreeWithinTheToleranceMeasuredAsTheLargerOverTheSmaller() {
    List<BenchCompare.Row> rows =
        BenchCompare.compare(
            report("router", 0.33, "burst", 13.0, "bridge", 0.43),
            report("router", 0.36, "burst", 17.0, "bridge", 0.43),
            0.10);
    assertThat(rows).extracting(BenchCompare.Row::id).containsExactly("router", "burst", "bridge");
    assertThat(rows.get(0).apart()).isCloseTo(0.36 / 0.33 - 1, within(1e-9));
    assertThat(rows.get(0).agree()).isTrue(); // 9.1 %
    assertThat(rows.get(1).apart()).isCloseTo(17.0 / 13 - 1, within(1e-9));
    assertThat(rows.get(1).agree()).isFalse(); // 30.8 %
    assertThat(rows.get(2).apart()).isZero();
    assertThat(BenchCompare.line(rows.get(1), 0.10)).contains("APART").contains("30.8 %");
    assertThat(BenchCompare.line(rows.get(0), 0.10)).contains("agree").contains("9.1 %");
  }

  @Test
  void zerosAgreeAZeroAgainstANumberDoesNotAndOneSidedGoalsAreListed() {
    assertThat(BenchCompare.apart(0, 0)).isZero();
    assertThat(BenchCompare.apart(0, 3)).isInfinite();
    List<BenchCompare.Row> rows =
        BenchCompare.compare(report("errors", 0, "old", 1.0), report("errors", 2, "new", 2.0), 0.1);
    assertThat(rows).extracting(BenchCompare.Row::id).containsExactly("errors", "old", "new");
    assertThat(rows.get(0).agree()).isFalse();
    assertThat(BenchCompare.line(rows.get(1), 0.1)).contains("only in the first report");
    assertThat(BenchCompare.line(rows.get(2), 0.1)).contains("only in the second report");
  }

  @Test
  void contextRowsAreComparedButDoNotDecideTheOutcome() {
    List<BenchCompare.Row> rows =
        BenchCompare.compare(
            report("router", 0.40, "ctx-cold", 316.0),
            report("router", 0.37, "ctx-cold", 211.0),
            0.10);
    assertThat(rows.get(1).context()).isTrue();
    assertThat(rows.get(1).agree()).isFalse(); // 49.5 % apart, and shown as such
    assertThat(BenchCompare.line(rows.get(1), 0.10)).contains("APART").contains("not counted");
    assertThat(BenchCompare.goalsAgree(rows)).isTrue();
    assertThat(BenchCompare.line(rows.get(0), 0.10))
        .contains("pass/pass")
        .doesNotContain("context");

    List<BenchCompare.Row> goalApart =
        BenchCompare.compare(report("router", 0.30), report("router", 0.40), 0.10);
    assertThat(BenchCompare.goalsAgree(goalApart)).isFalse();
  }
}
