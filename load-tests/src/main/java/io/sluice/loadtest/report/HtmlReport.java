package io.sluice.loadtest.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A self-contained HTML report: inline CSS, inline SVG charts drawn here, and the full results as
 * an embedded JSON block. No scripts, fonts or images are loaded from anywhere.
 */
public final class HtmlReport {
  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"
  };

  private HtmlReport() {}

  public static String render(List<RunResult> runs, String generatedAt) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Sluice load test report</title><style>")
        .append(
            "body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}"
                + "table{border-collapse:collapse;margin:8px 0}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
                + "th{background:#f4f4f4}td.l,th.l{text-align:left}"
                + ".ct{font-size:13px;font-weight:600}.ax{font-size:11px;fill:#555}"
                + ".note{color:#8a4b00}section{border-top:2px solid #ddd;margin-top:28px}")
        .append("</style></head><body>");
    sb.append("<h1>Sluice load test report</h1><p>Generated ")
        .append(Html.esc(generatedAt))
        .append(" on ")
        .append(Html.esc(machine(RunResult.thisMachine())))
        .append(". Latencies are measured from each request's <em>intended</em> send time ")
        .append("(open loop, coordinated omission corrected).</p>");
    sb.append(overview(runs));
    for (RunResult r : runs) {
      sb.append(run(r));
    }
    sb.append("<script type=\"application/json\" id=\"sluice-results\">")
        .append(JsonReport.render(runs, generatedAt).replace("</", "<\\/"))
        .append("</script></body></html>\n");
    return sb.toString();
  }

  public static Path write(Path file, List<RunResult> runs, String generatedAt) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, render(runs, generatedAt), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String machine(Map<String, String> m) {
    return m.get("cores") + " cores, " + m.get("os") + ", Java " + m.get("java");
  }

  private static String overview(List<RunResult> runs) {
    StringBuilder sb =
        new StringBuilder("<h2>Overview</h2><table><tr><th class=\"l\">scenario</th>");
    for (String h :
        List.of(
            "intended/s",
            "sent/s",
            "ok/s",
            "errors",
            "unsent",
            "p50 ms",
            "p99 ms",
            "max ms",
            "max backlog")) {
      sb.append("<th>").append(h).append("</th>");
    }
    sb.append("</tr>");
    for (RunResult r : runs) {
      Summary s = r.summary();
      sb.append("<tr><td class=\"l\"><a href=\"#")
          .append(Html.esc(r.scenario()))
          .append("\">")
          .append(Html.esc(r.scenario()))
          .append("</a></td>");
      for (Object v :
          List.of(
              num(s.intendedRate()),
              num(s.sendRate()),
              num(s.throughput()),
              s.errors(),
              s.unsent(),
              num(s.latency().p50()),
              num(s.latency().p99()),
              num(s.latency().max()),
              s.maxBacklog())) {
        sb.append("<td>").append(Html.esc(v)).append("</td>");
      }
      sb.append("</tr>");
    }
    return sb.append("</table>").toString();
  }

  private static String run(RunResult r) {
    Summary s = r.summary();
    StringBuilder sb =
        new StringBuilder("<section id=\"").append(Html.esc(r.scenario())).append("\">");
    sb.append("<h2>")
        .append(Html.esc(r.scenario()))
        .append("</h2><p>")
        .append(Html.esc(r.description()))
        .append("</p><p>Target: <code>")
        .append(Html.esc(r.target()))
        .append("</code>, started ")
        .append(Html.esc(r.startedAt()))
        .append("</p>");
    for (String n : r.notes()) {
      sb.append("<p class=\"note\">").append(Html.esc(n)).append("</p>");
    }
    sb.append("<h3>Settings</h3><table>");
    r.settings()
        .forEach(
            (k, v) ->
                sb.append("<tr><th class=\"l\">")
                    .append(Html.esc(k))
                    .append("</th><td class=\"l\">")
                    .append(Html.esc(v))
                    .append("</td></tr>"));
    sb.append("</table><h3>Results (measured window, ")
        .append(num(s.measuredSeconds()))
        .append(" s)</h3><table>");
    row(
        sb,
        "scheduled / sent / ok / errors / unsent",
        s.scheduled()
            + " / "
            + s.sent()
            + " / "
            + s.ok()
            + " / "
            + s.errors()
            + " / "
            + s.unsent());
    row(
        sb,
        "intended rate / send rate / throughput (per s)",
        num(s.intendedRate()) + " / " + num(s.sendRate()) + " / " + num(s.throughput()));
    row(sb, "errors by code", s.errorCodes().isEmpty() ? "none" : s.errorCodes());
    row(
        sb,
        "max backlog / late sends / max in flight",
        s.maxBacklog() + " / " + s.lateSends() + " / " + s.maxInFlight());
    row(
        sb,
        "observed mean batch size per deployment",
        s.observedBatchSize().isEmpty()
            ? "not known (replies carry no batch timings)"
            : s.observedBatchSize());
    sb.append("</table><table><tr><th class=\"l\">latency (ms)</th>");
    for (String h : List.of("count", "p50", "p90", "p99", "p99.9", "max", "mean")) {
      sb.append("<th>").append(h).append("</th>");
    }
    sb.append("</tr>");
    pct(sb, "from intended send (reported)", s.latency());
    pct(sb, "from actual send (service time, for comparison)", s.serviceTime());
    pct(sb, "send delay (generator lateness)", s.sendDelay());
    s.byPriority().forEach((p, v) -> pct(sb, "priority " + p, v));
    s.byVariant().forEach((v, st) -> pct(sb, "variant " + v, st.latency()));
    sb.append("</table>");
    if (!s.byVariant().isEmpty()) {
      sb.append("<h3>Variant split</h3><table><tr><th class=\"l\">variant</th><th>replies</th>")
          .append("<th>share</th></tr>");
      s.byVariant()
          .forEach(
              (v, st) ->
                  sb.append("<tr><td class=\"l\">")
                      .append(Html.esc(v))
                      .append("</td><td>")
                      .append(st.replies())
                      .append("</td><td>")
                      .append(String.format(Locale.ROOT, "%.1f%%", st.share() * 100))
                      .append("</td></tr>"));
      sb.append("</table><p>Sticky keys: ")
          .append(s.stickyKeys())
          .append(", of which served by more than one variant: ")
          .append(s.stickyViolations())
          .append("</p>");
    }
    if (!r.derived().isEmpty()) {
      sb.append("<h3>Derived</h3><table>");
      r.derived().forEach((k, v) -> row(sb, k, v));
      sb.append("</table>");
    }
    sb.append(charts(r));
    return sb.append("</section>").toString();
  }

  private static String charts(RunResult r) {
    List<TimelinePoint> tl = r.timeline();
    double[] xs = tl.stream().mapToDouble(TimelinePoint::t).toArray();
    double warm =
        tl.stream().filter(TimelinePoint::warmup).mapToDouble(TimelinePoint::t).max().orElse(0);
    double[] widths = new double[tl.size()];
    for (int i = 0; i < tl.size(); i++) {
      widths[i] = Math.max(1e-3, tl.get(i).t() - (i == 0 ? 0 : tl.get(i - 1).t()));
    }
    StringBuilder sb = new StringBuilder("<h3>Over time</h3>");
    sb.append(
        SvgChart.render(
            "Latency percentiles per interval",
            "ms",
            xs,
            List.of(
                new SvgChart.Series(
                    "p50", COLORS[0], tl.stream().mapToDouble(TimelinePoint::p50).toArray()),
                new SvgChart.Series(
                    "p99", COLORS[1], tl.stream().mapToDouble(TimelinePoint::p99).toArray()),
                new SvgChart.Series(
                    "max", COLORS[5], tl.stream().mapToDouble(TimelinePoint::max).toArray())),
            warm));
    double[] sent = new double[tl.size()];
    double[] ok = new double[tl.size()];
    double[] err = new double[tl.size()];
    for (int i = 0; i < tl.size(); i++) {
      sent[i] = tl.get(i).sent() / widths[i];
      ok[i] = tl.get(i).ok() / widths[i];
      err[i] = tl.get(i).errors() / widths[i];
    }
    sb.append(
        SvgChart.render(
            "Throughput",
            "requests/s",
            xs,
            List.of(
                new SvgChart.Series("sent", COLORS[0], sent),
                new SvgChart.Series("ok replies", COLORS[2], ok),
                new SvgChart.Series("errors", COLORS[1], err)),
            warm));
    sb.append(
        SvgChart.render(
            "Backlog and in flight",
            "requests",
            xs,
            List.of(
                new SvgChart.Series(
                    "backlog",
                    COLORS[3],
                    tl.stream().mapToDouble(TimelinePoint::backlog).toArray()),
                new SvgChart.Series(
                    "in flight",
                    COLORS[4],
                    tl.stream().mapToDouble(TimelinePoint::inFlight).toArray())),
            warm));
    TreeSet<String> gauges = new TreeSet<>();
    tl.forEach(p -> gauges.addAll(p.gauges().keySet()));
    for (String prefix : List.of("replicas", "lag", "batch")) {
      List<SvgChart.Series> series = new ArrayList<>();
      for (String g : gauges) {
        if (g.startsWith(prefix + ".")) {
          double[] ys = tl.stream().mapToDouble(p -> p.gauges().getOrDefault(g, 0.0)).toArray();
          series.add(
              new SvgChart.Series(
                  g.substring(prefix.length() + 1), COLORS[series.size() % COLORS.length], ys));
        }
      }
      String title =
          switch (prefix) {
            case "replicas" -> "Worker replicas (consumer-group members)";
            case "lag" -> "Consumer-group lag";
            default -> "Observed batch size (mean per interval)";
          };
      if (series.isEmpty()) {
        sb.append("<p class=\"note\">").append(title).append(": not known for this run.</p>");
      } else {
        sb.append(
            SvgChart.render(title, prefix.equals("lag") ? "records" : "count", xs, series, warm));
      }
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String k, Object v) {
    sb.append("<tr><th class=\"l\">")
        .append(Html.esc(k))
        .append("</th><td class=\"l\">")
        .append(Html.esc(v))
        .append("</td></tr>");
  }

  private static void pct(StringBuilder sb, String name, Percentiles p) {
    sb.append("<tr><td class=\"l\">")
        .append(Html.esc(name))
        .append("</td><td>")
        .append(p.count())
        .append("</td>");
    for (double v : new double[] {p.p50(), p.p90(), p.p99(), p.p999(), p.max(), p.mean()}) {
      sb.append("<td>").append(num(v)).append("</td>");
    }
    sb.append("</tr>");
  }

  static String num(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  }
}
