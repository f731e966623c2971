package io.sluice.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  private static final Percentiles P = new Percentiles(100, 1, 2.5, 4, 9.75, 12, 13.5, 3);

  static RunResult sample() {
    Summary s =
        new Summary(
            10,
            1000,
            1000,
            990,
            10,
            Map.of("timeout", 10L),
            0,
            100,
            100,
            99,
            P,
            P,
            P,
            Map.of("INTERACTIVE", P),
            Map.of("a", new VariantStats(600, 0.6, P), "b", new VariantStats(390, 0.39, P)),
            200,
            0,
            7,
            3,
            42,
            Map.of("chat-a", 6.5),
            Map.of("routed_to_flushed", P));
    List<TimelinePoint> tl =
        List.of(
            new TimelinePoint(
                1,
                "warm-up",
                true,
                100,
                98,
                0,
                2.0,
                8.0,
                9.0,
                0,
                2,
                Map.of("replicas.chat-a", 1.0, "lag.chat-a", 30.0)),
            new TimelinePoint(
                2,
                "steady",
                false,
                100,
                99,
                1,
                2.5,
                9.5,
                777.25,
                3,
                4,
                Map.of("replicas.chat-a", 2.0, "lag.chat-a", 5.0)));
    return new RunResult(
        "ab-sticky",
        "A/B <split> & stickiness",
        "kafka localhost:9092 -> sluice.requests.chat",
        "2026-01-01T00:00:00Z",
        RunResult.thisMachine(),
        Map.of("app", "chat", "keys", "fixed:200"),
        s,
        tl,
        List.of("a note"),
        Map.of("scaleUpSeconds.chat-a", 1.0));
  }

  @Test
  void jsonHoldsSettingsSummaryAndTimeline(@TempDir Path dir) throws Exception {
    Path file = JsonReport.write(dir.resolve("r/results.json"), List.of(sample()), "now");

    JsonNode root = new ObjectMapper().readTree(Files.readString(file));
    JsonNode run = root.get("runs").get(0);
    assertThat(root.get("machine").get("cores").asInt()).isPositive();
    assertThat(run.get("scenario").asText()).isEqualTo("ab-sticky");
    assertThat(run.get("settings").get("keys").asText()).isEqualTo("fixed:200");
    assertThat(run.get("summary").get("latency").get("p99").asDouble()).isEqualTo(9.75);
    assertThat(run.get("summary").get("byVariant").get("a").get("share").asDouble()).isEqualTo(0.6);
    assertThat(run.get("summary").get("maxBacklog").asLong()).isEqualTo(7);
    assertThat(run.get("timeline")).hasSize(2);
    assertThat(run.get("timeline").get(1).get("gauges").get("replicas.chat-a").asDouble())
        .isEqualTo(2.0);
  }

  @Test
  void htmlIsSelfContainedAndCarriesTheChartsData() {
    String html = HtmlReport.render(List.of(sample()), "now");

    // Nothing is fetched from anywhere: no URLs, no external scripts, styles, fonts or images.
    assertThat(html).doesNotContain("http://", "https://", "src=", "<link", "@import", "url(");
    // The charts are inline SVG with the timeline's values in their points.
    assertThat(html)
        .contains(
            "<svg",
            "Latency percentiles per interval",
            "Throughput",
            "Backlog and in flight",
            "Worker replicas",
            "Consumer-group lag");
    assertThat(countOf(html, "<svg")).isEqualTo(5);
    assertThat(html).contains("data-series=\"p99\"", "data-series=\"chat-a\"");
    assertThat(html).contains("Observed batch size (mean per interval): not known for this run.");
    assertThat(html).contains("chat-a=6.5", "scaleUpSeconds.chat-a");
    // The full results travel inside the page as JSON, so the figures behind the charts are there.
    Matcher m =
        Pattern.compile(
                "<script type=\"application/json\" id=\"sluice-results\">(.*?)</script>",
                Pattern.DOTALL)
            .matcher(html);
    assertThat(m.find()).isTrue();
    assertThat(m.group(1)).contains("777.25", "replicas.chat-a");
    // Text is escaped, settings and variant split are shown.
    assertThat(html).contains("A/B &lt;split&gt; &amp; stickiness", "fixed:200", "60.0%", "a note");
  }

  @Test
  void chartPointsScaleToTheData() {
    String svg =
        SvgChart.render(
            "t",
            "ms",
            new double[] {1, 2},
            List.of(new SvgChart.Series("s", "#000", new double[] {0, 50})),
            0);
    // y axis tops out at a nice 50; the second point sits at the top of the plot area (y=24).
    assertThat(svg).contains("points=\"", ",24.0\"");
    assertThat(SvgChart.niceCeiling(37)).isEqualTo(50);
    assertThat(SvgChart.niceCeiling(0)).isEqualTo(1);
  }

  @Test
  void progressLineShowsElapsedCountsAndPercentiles() {
    TimelinePoint p =
        new TimelinePoint(6, "steady", false, 10, 9, 1, 3.14, 12.5, 20, 4, 2, Map.of());

    String line = ProgressBar.render("steady", p, 6, 12, 600, 590, 3);

    assertThat(line)
        .contains(
            "[############............]",
            "6/12s",
            "sent 600",
            "done 590",
            "err 3",
            "backlog 4",
            "p50 3.1ms",
            "p99 12.5ms");
    assertThat(ProgressBar.render("x", p, 13, 12, 1, 1, 0)).endsWith("(draining)");
  }

  private static int countOf(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
      n++;
    }
    return n;
  }
}
