package io.sluice.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Sets two {@code bench.sh} reports side by side, goal by goal: each one's median, how far apart
 * they are (the larger over the smaller, minus one) and whether that is within a tolerance, 10 %
 * unless told. This is the check "run it twice, the ratios agree within 10 %" done by a program,
 * not by reading two tables. Goals in one report only are listed as such. Context rows (no target,
 * verdict {@code info}: the two-hop pass-through, the first burst into a cold router) are compared
 * and printed too, but marked as context and never counted: a cold start is one sample and is not a
 * goal.
 *
 * <p>{@code java ... BenchCompare <report.json> <report.json> [tolerance=0.10]}; exits 1 when a
 * goal with a target in both is further apart than the tolerance.
 */
public final class BenchCompare {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BenchCompare() {}

  /**
   * One goal in both reports, or in one of them (the other's median NaN); {@code verdicts} is each
   * report's pass/short ("-" where absent), {@code context} a row without a target.
   */
  record Row(
      String id,
      String unit,
      double a,
      double b,
      double apart,
      boolean agree,
      String verdicts,
      boolean context) {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: BenchCompare <report.json> <report.json> [tolerance=0.10]");
      System.exit(2);
    }
    double tolerance = args.length > 2 ? Double.parseDouble(args[2]) : 0.10;
    List<Row> rows =
        compare(
            JSON.readTree(Path.of(args[0]).toFile()),
            JSON.readTree(Path.of(args[1]).toFile()),
            tolerance);
    System.out.println(
        String.format(
            Locale.ROOT,
            "%-26s %10s %10s %-6s %-11s",
            "goal",
            "first",
            "second",
            "unit",
            "verdicts"));
    rows.forEach(r -> System.out.println(line(r, tolerance)));
    System.exit(goalsAgree(rows) ? 0 : 1);
  }

  /** Whether every row with a target agrees; context rows are not counted. */
  static boolean goalsAgree(List<Row> rows) {
    return rows.stream().allMatch(r -> r.context() || r.agree());
  }

  static List<Row> compare(JsonNode a, JsonNode b, double tolerance) {
    Map<String, JsonNode> first = goals(a);
    Map<String, JsonNode> second = goals(b);
    Set<String> ids = new LinkedHashSet<>(first.keySet());
    ids.addAll(second.keySet());
    List<Row> rows = new ArrayList<>();
    for (String id : ids) {
      JsonNode x = first.get(id);
      JsonNode y = second.get(id);
      JsonNode either = x != null ? x : y;
      double apart = apart(median(x), median(y));
      rows.add(
          new Row(
              id,
              either.get("unit").asText(),
              median(x),
              median(y),
              apart,
              Double.isNaN(apart) || apart <= tolerance + 1e-12,
              verdict(x) + "/" + verdict(y),
              BenchReport.CONTEXT.equals(verdict(either))));
    }
    return rows;
  }

  /** A goal's median, NaN for a goal the report does not have. */
  private static double median(JsonNode goal) {
    return goal == null ? Double.NaN : goal.get("median").asDouble();
  }

  /** A goal's verdict, "-" for a goal the report does not have. */
  private static String verdict(JsonNode goal) {
    return goal == null ? "-" : goal.path("verdict").asText("?");
  }

  /**
   * The larger over the smaller, minus one: 0.10 when one is 10 % above the other. Two zeros (no
   * failed calls in either run) agree; a zero against anything else is infinitely apart.
   */
  static double apart(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.NaN;
    }
    double lo = Math.min(Math.abs(x), Math.abs(y));
    double hi = Math.max(Math.abs(x), Math.abs(y));
    if (hi == 0) {
      return 0;
    }
    return lo == 0 ? Double.POSITIVE_INFINITY : hi / lo - 1;
  }

  private static Map<String, JsonNode> goals(JsonNode report) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    report.get("goals").forEach(g -> m.put(g.get("id").asText(), g));
    return m;
  }

  static String line(Row r, double tolerance) {
    if (Double.isNaN(r.apart())) {
      return String.format(
          Locale.ROOT,
          "%-26s only in the %s report (%.3f %s)",
          r.id(),
          Double.isNaN(r.a()) ? "second" : "first",
          Double.isNaN(r.a()) ? r.b() : r.a(),
          r.unit());
    }
    return String.format(
        Locale.ROOT,
        "%-26s %10.3f %10.3f %-6s %-11s apart %6.1f %%  %s%s",
        r.id(),
        r.a(),
        r.b(),
        r.unit(),
        r.verdicts(),
        r.apart() * 100,
        r.agree() ? "agree" : "APART (more than " + Math.round(tolerance * 100) + " %)",
        r.context() ? " (context, not counted)" : "");
  }
}
