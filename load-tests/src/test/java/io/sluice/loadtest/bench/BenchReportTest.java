package io.sluice.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
  @TempDir Path dir;

  @Test
  void mediansVerdictsAndLoadMarksComeFromTheRoundsWritten() throws Exception {
    BenchResults r = new BenchResults("router", "test settings");
    r.goal("ratio", "A ratio", "a baseline", "ratio", ">=", 0.9, "0.9", "records/s");
    r.goal("latency", "A latency", "a bound", "ms", "<=", 10, "10 ms", "ms");
    Goals.add(r, "ratio", 0.95, 0.80, 0.91);
    Goals.add(r, "latency", 12, 9, 30);
    System.setProperty("bench.out", dir.resolve("router.json").toString());
    try {
      r.finish();
    } finally {
      System.clearProperty("bench.out");
    }

    JsonNode report = BenchReport.build(dir);
    JsonNode ratio = report.get("goals").get(0);
    JsonNode latency = report.get("goals").get(1);
    assertThat(ratio.get("median").asDouble()).isEqualTo(0.91);
    assertThat(ratio.get("verdict").asText()).isEqualTo("pass");
    assertThat(latency.get("median").asDouble()).isEqualTo(12.0);
    assertThat(latency.get("verdict").asText()).isEqualTo("short");
    double load = BenchResults.loadAverage();
    assertThat(ratio.get("loaded").asBoolean())
        .isEqualTo(load > Runtime.getRuntime().availableProcessors());

    String readme =
        "intro, naming `<!-- bench:router:start -->` in prose\n<!-- bench:router:start -->\nstale"
            + " figures\n<!-- bench:router:end -->\noutro\n";
    String regenerated = BenchReport.replaceSections(readme, report);
    assertThat(regenerated)
        .startsWith(
            "intro, naming `<!-- bench:router:start -->` in prose\n<!-- bench:router:start -->")
        .endsWith("<!-- bench:router:end -->\noutro\n")
        .doesNotContain("stale figures")
        .contains("| A ratio | >= 0.9 | a baseline |")
        .contains("**0.91**")
        .contains("**12.00 ms**");
    assertThat(BenchReport.replaceSections(regenerated, report)).isEqualTo(regenerated);
    assertThat(BenchReport.html(report)).contains("<td class=\"short\">short</td>");
    assertThat(Files.readString(dir.resolve("router.json"))).contains("\"loads\"");
  }

  @Test
  void aStrictBoundFailsAtTheTargetAndFiguresCarryTheirUnit() throws Exception {
    BenchResults r = new BenchResults("inflight", "test settings");
    r.goal("heap", "Heap", "idle", "MiB", "<", 512, "512 MiB", "MiB");
    r.goal("at", "Heap at the bound", "idle", "MiB", "<", 512, "512 MiB", "MiB");
    r.goal("errors", "Errors", "calls sent", "errors", "<=", 0, "0", "calls");
    r.round("heap", 300.25, 80, 300.25);
    r.round("at", 512, 80, 512);
    r.round("errors", 0, 10_000, 10_000);
    System.setProperty("bench.out", dir.resolve("inflight.json").toString());
    try {
      r.finish();
    } finally {
      System.clearProperty("bench.out");
    }

    JsonNode report = BenchReport.build(dir);
    assertThat(report.get("goals").get(0).get("verdict").asText()).isEqualTo("pass");
    assertThat(report.get("goals").get(1).get("verdict").asText()).isEqualTo("short");
    assertThat(report.get("goals").get(2).get("verdict").asText()).isEqualTo("pass");
    assertThat(BenchReport.table(report, "inflight"))
        .contains("| Heap | < 512 MiB | idle | 80 MiB | 300 MiB | **300.3 MiB** | 300.3 | pass |")
        .contains(
            "| Errors | <= 0 | calls sent | 10,000 calls | 10,000 calls | **0** | 0 | pass |");
  }

  @Test
  void aPartialRunLeavesTheTablesOfWhatItDidNotMeasure() throws Exception {
    BenchResults r = new BenchResults("inflight", "test settings");
    r.goal("errors", "Errors", "calls sent", "errors", "<=", 0, "0", "calls");
    r.round("errors", 0, 10_000, 10_000);
    System.setProperty("bench.out", dir.resolve("inflight.json").toString());
    try {
      r.finish();
    } finally {
      System.clearProperty("bench.out");
    }
    JsonNode report = BenchReport.build(dir);
    String readme =
        """
        <!-- bench:all:start -->
        full run
        <!-- bench:all:end -->
        <!-- bench:router:start -->
        router figures
        <!-- bench:router:end -->
        <!-- bench:inflight:start -->
        old
        <!-- bench:inflight:end -->
        """;

    String partial = BenchReport.replaceSections(readme, report, "router,inflight");
    assertThat(partial)
        .contains("full run")
        .contains("router figures")
        .doesNotContain("old")
        .contains("| Errors | <= 0 |");
    assertThat(BenchReport.replaceSections(readme, report, "inflight"))
        .doesNotContain("full run")
        .contains("router figures");
  }

  @Test
  void theMedianOfAnEvenCountIsTheUpperMiddleOne() {
    assertThat(BenchResults.median(List.of(3.0, 1.0, 2.0, 4.0))).isEqualTo(3.0);
    assertThat(BenchResults.median(List.of())).isNaN();
  }

  /** Rounds with the value as the subject figure and 1 as the baseline figure. */
  private static final class Goals {
    static void add(BenchResults r, String id, double... values) {
      for (double v : values) {
        r.round(id, v, 1, v);
      }
    }
  }
}
