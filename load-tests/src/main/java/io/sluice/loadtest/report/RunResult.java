package io.sluice.loadtest.report;

import java.util.List;
import java.util.Map;

/**
 * One scenario run: what was asked for, against what, on which machine, and what came out.
 *
 * @param scenario scenario name
 * @param description what the scenario shows
 * @param target the entry path and address
 * @param startedAt ISO-8601 start time
 * @param machine cores, OS and JVM of the machine that ran the generator
 * @param settings the generator settings, verbatim
 * @param summary results of the measured window
 * @param timeline per-interval results, warm-up included
 * @param notes caveats the reader must see (e.g. what was not measurable)
 * @param derived figures derived from the timeline, e.g. scale-up time after a burst
 */
public record RunResult(
    String scenario,
    String description,
    String target,
    String startedAt,
    Map<String, String> machine,
    Map<String, Object> settings,
    Summary summary,
    List<TimelinePoint> timeline,
    List<String> notes,
    Map<String, Object> derived) {

  /** This result with one more note. */
  public RunResult withNote(String note) {
    List<String> n = new java.util.ArrayList<>(notes);
    n.add(note);
    return new RunResult(
        scenario, description, target, startedAt, machine, settings, summary, timeline, n, derived);
  }

  /** Cores, OS and JVM of this machine. */
  public static Map<String, String> thisMachine() {
    return Map.of(
        "cores", Integer.toString(Runtime.getRuntime().availableProcessors()),
        "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        "java", System.getProperty("java.version"));
  }
}
