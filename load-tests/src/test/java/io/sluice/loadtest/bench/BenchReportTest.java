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
  void eachBenchmarksLoadComesFromItsOwnSamplesAndTheReportsFromTheResultsItHolds()
      throws Exception {
    for (String name : List.of("router", "bridge")) {
      BenchResults r = new BenchResults(name, "test settings");
      r.goal("g-" + name, "Goal " + name, "a baseline", "ratio", ">=", 0.5, "0.5", "records/s");
      r.round("g-" + name, 0.6, 1, 0.6);
      System.setProperty("bench.out", dir.resolve(name + ".json").toString());
      try {
        r.finish();
      } finally {
        System.clearProperty("bench.out");
      }
    }
    // The router's samples of an earlier run; the bridge's of this one, with a line cut short.
    Files.writeString(
        dir.resolve("router.loadavg"),
        "2026-12-03T10:00:00Z 1.5 1.0 0.5\n2026-12-03T10:00:05Z 2.5 1.2 0.6\n");
    Files.writeString(
        dir.resolve("bridge.loadavg"),
        "2026-12-03T11:00:00Z 7.0 5.0 2.0\n2026-12-03T11:00:05Z 9.0 5.5 2.1\n2026-12-03T11:00:1");
    // A file for a benchmark with no result in the report is not counted.
    Files.writeString(dir.resolve("pipeline.loadavg"), "2026-12-03T09:00:00Z 40.0 30.0 20.0\n");

    JsonNode report = BenchReport.build(dir);
    assertThat(report.at("/loadDuringRun/samples").asInt()).isEqualTo(4);
    assertThat(report.at("/loadDuringRun/min").asDouble()).isEqualTo(1.5);
    assertThat(report.at("/loadDuringRun/max").asDouble()).isEqualTo(9.0);
    String router = BenchReport.table(report, "router");
    assertThat(router)
        .contains("min 1.5, median 2.5, max 2.5 (2 samples)")
        .doesNotContain("max 9.0");
    assertThat(BenchReport.table(report, "bridge")).contains("min 7.0, median 9.0, max 9.0");
    assertThat(BenchReport.table(report, "all"))
        .contains("min 1.5, median 7.0, max 9.0 (4 samples)");
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
