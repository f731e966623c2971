package io.sluice.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Turns the result files of one {@code bench.sh} run ({@link BenchResults}, one per benchmark) into
 * {@code report.json}, a self-contained {@code report.html}, and the README tables: each README
 * section between {@code <!-- bench:NAME:start -->} and {@code <!-- bench:NAME:end -->} is replaced
 * by the table of benchmark {@code NAME} ({@code all} = every goal), so no figure is typed by hand.
 *
 * <p>{@code java ... BenchReport <results dir> <report dir> [README.md ...]}
 */
public final class BenchReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The verdict of a row shown for context: it has no target to pass or fall short of. */
  static final String CONTEXT = "info";

  private BenchReport() {}

  public static void main(String[] args) throws IOException {
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    ObjectNode report = build(in);
    Files.writeString(
        out.resolve("report.json"),
        JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
    Files.writeString(out.resolve("report.html"), html(report));
    for (int i = 2; i < args.length; i++) {
      Path readme = Path.of(args[i]);
      Files.writeString(
          readme,
          replaceSections(Files.readString(readme), report, System.getProperty("bench.all")));
    }
    for (JsonNode g : report.get("goals")) {
      System.out.printf(
          Locale.ROOT,
          "%-18s %-6s median %s (target %s %s)%s%n",
          g.get("id").asText(),
          g.get("verdict").asText(),
          fmt(g.get("median").asDouble(), g.get("unit").asText()),
          g.get("direction").asText(),
          g.get("targetText").asText(),
          g.get("loaded").asBoolean() ? "  [load above cores]" : "");
    }
  }

  /** Reads every {@code *.json} result file of a run and adds medians and verdicts. */
  static ObjectNode build(Path dir) throws IOException {
    ObjectNode report = JSON.createObjectNode();
    report.put("generatedAt", Instant.now().toString());
    ArrayNode runs = report.putArray("benchmarks");
    ArrayNode goals = report.putArray("goals");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    for (Path f : files) {
      JsonNode run = JSON.readTree(f.toFile());
      int cores = run.path("cores").asInt(1);
      ObjectNode r = runs.addObject();
      r.put("benchmark", run.get("benchmark").asText());
      r.put("settings", run.path("settings").asText());
      r.put("finishedAt", run.path("finishedAt").asText());
      r.put("cores", cores);
      r.put("java", run.path("java").asText());
      for (JsonNode g : run.get("goals")) {
        ObjectNode o = goals.addObject();
        o.put("benchmark", run.get("benchmark").asText());
        o.setAll((ObjectNode) g.deepCopy());
        double median = BenchResults.median(doubles(g.get("values")));
        double maxLoad = doubles(g.get("loads")).stream().mapToDouble(d -> d).max().orElse(-1);
        o.put("median", median);
        o.put("baselineMedian", BenchResults.median(doubles(g.get("baselineFigures"))));
        o.put("subjectMedian", BenchResults.median(doubles(g.get("subjectFigures"))));
        o.put("maxLoad", maxLoad);
        o.put("cores", cores);
        o.put("loaded", maxLoad > cores);
        o.put("verdict", verdict(o, median));
      }
    }
    List<Double> all = new ArrayList<>();
    for (JsonNode r : runs) {
      // bench.sh samples the load while each benchmark runs, next to its result: the report's
      // load is that of the runs whose results it holds, also after partial (--only) runs.
      List<Double> loads = loadSamples(dir.resolve(r.get("benchmark").asText() + ".loadavg"));
      if (!loads.isEmpty()) {
        loadSummary((ObjectNode) r, loads);
        all.addAll(loads);
      }
    }
    if (!all.isEmpty()) {
      loadSummary(report, all);
    }
    return report;
  }

  /** The 1-minute load averages of a sample file's lines ({@code <time> <1 min> <5> <15>}). */
  private static List<Double> loadSamples(Path samples) throws IOException {
    List<Double> loads = new ArrayList<>();
    if (!Files.exists(samples)) {
      return loads;
    }
    for (String line : Files.readAllLines(samples)) {
      String[] f = line.trim().split("\\s+", -1);
      if (f.length >= 2) {
        try {
          loads.add(Double.parseDouble(f[1]));
        } catch (NumberFormatException e) {
          // a line cut short when the sampler was stopped
        }
      }
    }
    return loads;
  }

  private static void loadSummary(ObjectNode into, List<Double> loads) {
    ObjectNode l = into.putObject("loadDuringRun");
    l.put("samples", loads.size());
    l.put("min", loads.stream().mapToDouble(d -> d).min().orElse(-1));
    l.put("median", BenchResults.median(loads));
    l.put("max", loads.stream().mapToDouble(d -> d).max().orElse(-1));
  }

  /** The load while {@code run} (a report, or one benchmark's entry in it) was measured. */
  private static String loadLine(JsonNode run) {
    JsonNode l = run.get("loadDuringRun");
    if (l == null) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        "Load average (1 min) during the run, sampled every 5 s: min %.1f, median %.1f, max %.1f"
            + " (%d samples).",
        l.get("min").asDouble(),
        l.get("median").asDouble(),
        l.get("max").asDouble(),
        l.get("samples").asInt());
  }

  private static String verdict(JsonNode g, double median) {
    if ("none".equals(g.get("targetText").asText())) {
      return CONTEXT;
    }
    if (Double.isNaN(median)) {
      return "none";
    }
    double target = g.get("target").asDouble();
    boolean pass =
        switch (g.get("direction").asText()) {
          case ">=" -> median >= target;
          case ">" -> median > target;
          case "<" -> median < target;
          default -> median <= target;
        };
    return pass ? "pass" : "short";
  }

  private static List<Double> doubles(JsonNode array) {
    List<Double> l = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> l.add(n.asDouble()));
    }
    return l;
  }

  private static String fmt(double v, String unit) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return switch (unit) {
      case "ms" -> String.format(Locale.ROOT, "%.2f ms", v);
      case "ratio" -> String.format(Locale.ROOT, "%.2f", v);
      case "errors", "calls" -> String.format(Locale.ROOT, "%,.0f", v);
      default -> String.format(Locale.ROOT, "%.1f %s", v, unit);
    };
  }

  private static String figure(double v, String unit) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return "ms".equals(unit)
        ? String.format(Locale.ROOT, "%.2f ms", v)
        : String.format(Locale.ROOT, "%,.0f %s", v, unit);
  }

  private static String rounds(JsonNode g) {
    List<String> parts = new ArrayList<>();
    for (JsonNode v : g.get("values")) {
      String unit = g.get("unit").asText();
      parts.add(fmt(v.asDouble(), unit).replace(" " + unit, ""));
    }
    return String.join(", ", parts);
  }

  private static String load(JsonNode g) {
    List<Double> loads = doubles(g.get("loads"));
    double min = loads.stream().mapToDouble(d -> d).min().orElse(-1);
    String s =
        String.format(Locale.ROOT, "%.1f–%.1f", min, g.get("maxLoad").asDouble())
            + (g.get("loaded").asBoolean() ? " (above " + g.get("cores").asInt() + " cores)" : "");
    return s;
  }

  /** Whether {@code node} (a goal, or a benchmark's entry) is in the table of {@code benchmark}. */
  private static boolean shown(JsonNode node, String benchmark) {
    return "all".equals(benchmark) || benchmark.equals(node.get("benchmark").asText());
  }

  /** The markdown table of one benchmark's goals ({@code all}: every goal). */
  static String table(JsonNode report, String benchmark) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| goal | target | baseline | baseline (median) | subject (median) | median | per round"
            + " | verdict | load average |\n");
    b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (JsonNode g : report.get("goals")) {
      if (!shown(g, benchmark)) {
        continue;
      }
      String unit = g.get("unit").asText();
      String figureUnit = g.get("figureUnit").asText();
      b.append("| ")
          .append(g.get("title").asText())
          .append(" | ")
          .append(g.get("direction").asText())
          .append(' ')
          .append(g.get("targetText").asText())
          .append(" | ")
          .append(g.get("baseline").asText())
          .append(" | ")
          .append(figure(g.get("baselineMedian").asDouble(), figureUnit))
          .append(" | ")
          .append(figure(g.get("subjectMedian").asDouble(), figureUnit))
          .append(" | **")
          .append(fmt(g.get("median").asDouble(), unit))
          .append("** | ")
          .append(rounds(g))
          .append(" | ")
          .append(g.get("verdict").asText())
          .append(" | ")
          .append(load(g))
          .append(" |\n");
    }
    JsonNode loadOf = report;
    if (!"all".equals(benchmark)) {
      loadOf = null;
      for (JsonNode r : report.get("benchmarks")) {
        if (shown(r, benchmark)) {
          loadOf = r;
        }
      }
    }
    if (loadOf != null && loadOf.has("loadDuringRun")) {
      b.append('\n').append(loadLine(loadOf)).append('\n');
    }
    for (JsonNode r : report.get("benchmarks")) {
      if (shown(r, benchmark)) {
        b.append("\n`")
            .append(r.get("benchmark").asText())
            .append("`: ")
            .append(r.get("settings").asText())
            .append("; ")
            .append(r.get("cores").asInt())
            .append(" cores, Java ")
            .append(r.get("java").asText())
            .append(", finished ")
            .append(r.get("finishedAt").asText())
            .append(".\n");
      }
    }
    return b.toString();
  }

  private static final java.util.regex.Pattern START =
      java.util.regex.Pattern.compile("(?m)^<!-- bench:([a-z0-9-]+):start -->$");

  /**
   * Replaces every marked section with its table; unmarked text is left as it is. A marker is a
   * line of its own, so text that merely mentions one is never taken for it.
   */
  static String replaceSections(String text, JsonNode report) {
    return replaceSections(text, report, null);
  }

  /**
   * As {@link #replaceSections(String, JsonNode)}, but a partial run ({@code bench.sh --only} from
   * a clean target) leaves what it did not measure as it was: a section of a benchmark with no
   * result in the report is kept, and so is the {@code all} section unless the report has a result
   * of every benchmark in {@code everyBenchmark} (comma-separated; null: always replaced).
   */
  static String replaceSections(String text, JsonNode report, String everyBenchmark) {
    java.util.Set<String> measured = new java.util.HashSet<>();
    report.get("benchmarks").forEach(r -> measured.add(r.get("benchmark").asText()));
    StringBuilder out = new StringBuilder();
    java.util.regex.Matcher m = START.matcher(text);
    int at = 0;
    while (m.find(at)) {
      String endMarker = "\n<!-- bench:" + m.group(1) + ":end -->";
      int end = text.indexOf(endMarker, m.end());
      if (end < 0) {
        break;
      }
      String name = m.group(1);
      boolean keep =
          "all".equals(name)
              ? everyBenchmark != null
                  && !measured.containsAll(List.of(everyBenchmark.split(",", -1)))
              : !measured.contains(name);
      if (keep) {
        out.append(text, at, end + endMarker.length());
        at = end + endMarker.length();
        continue;
      }
      out.append(text, at, m.end())
          .append("\n<!-- generated by load-tests/bench.sh (BenchReport) from report.json -->\n")
          .append(table(report, m.group(1)));
      at = end;
      out.append(text, at, end + endMarker.length());
      at = end + endMarker.length();
    }
    out.append(text.substring(at));
    return out.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String html(JsonNode report) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Sluice benchmarks</title>")
        .append("<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:80em}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;")
        .append("text-align:left;vertical-align:top}th{background:#f3f3f3}")
        .append(".pass{color:#070;font-weight:bold}.short{color:#b00;font-weight:bold}")
        .append(".loaded{background:#fff4d6}</style></head><body>")
        .append("<h1>Sluice benchmarks</h1><p>Generated ")
        .append(esc(report.get("generatedAt").asText()))
        .append(". Each figure is the median over measured rounds; each round measures the")
        .append(" baseline and the subject one after the other. Rows shaded yellow were measured")
        .append(" with a load average above the core count.</p><table><tr><th>goal</th>")
        .append("<th>target</th><th>baseline</th><th>baseline (median)</th>")
        .append("<th>subject (median)</th><th>median</th><th>per round</th><th>verdict</th>")
        .append("<th>load average</th></tr>");
    for (JsonNode g : report.get("goals")) {
      String unit = g.get("unit").asText();
      String figureUnit = g.get("figureUnit").asText();
      String verdict = g.get("verdict").asText();
      b.append(g.get("loaded").asBoolean() ? "<tr class=\"loaded\">" : "<tr>")
          .append("<td>")
          .append(esc(g.get("title").asText()))
          .append("</td><td>")
          .append(esc(g.get("direction").asText() + " " + g.get("targetText").asText()))
          .append("</td><td>")
          .append(esc(g.get("baseline").asText()))
          .append("</td><td>")
          .append(esc(figure(g.get("baselineMedian").asDouble(), figureUnit)))
          .append("</td><td>")
          .append(esc(figure(g.get("subjectMedian").asDouble(), figureUnit)))
          .append("</td><td><b>")
          .append(esc(fmt(g.get("median").asDouble(), unit)))
          .append("</b></td><td>")
          .append(esc(rounds(g)))
          .append("</td><td class=\"")
          .append(verdict)
          .append("\">")
          .append(verdict)
          .append("</td><td>")
          .append(esc(load(g)))
          .append("</td></tr>");
    }
    b.append("</table><p>").append(esc(loadLine(report))).append("</p><h2>Runs</h2><ul>");
    for (JsonNode r : report.get("benchmarks")) {
      b.append("<li><b>")
          .append(esc(r.get("benchmark").asText()))
          .append("</b>: ")
          .append(esc(r.get("settings").asText()))
          .append("; ")
          .append(r.get("cores").asInt())
          .append(" cores, Java ")
          .append(esc(r.get("java").asText()))
          .append("</li>");
    }
    b.append("</ul><script type=\"application/json\" id=\"report\">")
        .append(esc(JSON.writeValueAsString(report)))
        .append("</script></body></html>\n");
    return new String(b.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }
}
