package io.sluice.loadtest.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one benchmark measured, per round, as {@code bench.sh} collects it: for each goal the
 * per-round value (a ratio to a baseline measured in the same round, or a figure in ms), the
 * baseline's and the subject's own figures, and the machine's 1-minute load average at the end of
 * each round. {@link BenchReport} turns the files of one run into the report.
 */
public final class BenchResults {
  private final String benchmark;
  private final String settings;
  private final Map<String, Goal> goals = new LinkedHashMap<>();

  /** One goal's rounds. */
  public static final class Goal {
    public String id;
    public String title;
    public String baseline;
    public String unit;
    public String direction;
    public double target;
    public String targetText;
    public final List<Double> values = new ArrayList<>();
    public final List<Double> baselineFigures = new ArrayList<>();
    public final List<Double> subjectFigures = new ArrayList<>();
    public final List<Double> loads = new ArrayList<>();
    public String figureUnit;
  }

  public BenchResults(String benchmark, String settings) {
    this.benchmark = benchmark;
    this.settings = settings;
  }

  /**
   * Declares a goal.
   *
   * @param direction {@code ">="} (value must reach the target) or {@code "<="}
   * @param unit {@code ratio} or {@code ms}
   * @param figureUnit unit of the baseline and subject figures (e.g. {@code records/s})
   */
  public BenchResults goal(
      String id,
      String title,
      String baseline,
      String unit,
      String direction,
      double target,
      String targetText,
      String figureUnit) {
    Goal g = new Goal();
    g.id = id;
    g.title = title;
    g.baseline = baseline;
    g.unit = unit;
    g.direction = direction;
    g.target = target;
    g.targetText = targetText;
    g.figureUnit = figureUnit;
    goals.put(id, g);
    return this;
  }

  /** One measured round of a goal (warm-up rounds are not recorded). */
  public void round(String id, double value, double baselineFigure, double subjectFigure) {
    Goal g = goals.get(id);
    if (g == null) {
      throw new IllegalArgumentException("no goal " + id);
    }
    g.values.add(value);
    g.baselineFigures.add(baselineFigure);
    g.subjectFigures.add(subjectFigure);
    g.loads.add(loadAverage());
  }

  /** The 1-minute load average, or -1 where /proc/loadavg cannot be read. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Median of the values (the upper middle one of an even count); NaN when empty. */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(values);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  /**
   * Writes the results as JSON to the file named by system property {@code bench.out}, if set
   * (bench.sh sets it); prints each goal's median either way.
   */
  public void finish() {
    for (Goal g : goals.values()) {
      System.out.printf(
          java.util.Locale.ROOT,
          "goal %s: median %.3f %s over %d rounds (target %s %s)%n",
          g.id,
          median(g.values),
          g.unit,
          g.values.size(),
          g.direction,
          g.targetText);
    }
    String out = System.getProperty("bench.out");
    if (out == null || out.isBlank()) {
      return;
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", benchmark);
    json.put("settings", settings);
    json.put("finishedAt", Instant.now().toString());
    json.put("cores", Runtime.getRuntime().availableProcessors());
    json.put("java", System.getProperty("java.version"));
    json.put("goals", new ArrayList<>(goals.values()));
    try {
      Path p = Path.of(out);
      if (p.getParent() != null) {
        Files.createDirectories(p.getParent());
      }
      new ObjectMapper()
          .setVisibility(
              com.fasterxml.jackson.annotation.PropertyAccessor.FIELD,
              com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.PUBLIC_ONLY)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(p.toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
