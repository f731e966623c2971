package io.sluice.loadtest.scenario;

import io.sluice.loadtest.generator.Gauges;
import io.sluice.loadtest.generator.NanoClock;
import io.sluice.loadtest.generator.OpenLoopGenerator;
import io.sluice.loadtest.generator.Progress;
import io.sluice.loadtest.generator.RunOutput;
import io.sluice.loadtest.generator.Target;
import io.sluice.loadtest.report.RunResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs one scenario against a target and packages the result with its settings. */
public final class ScenarioRunner {
  private ScenarioRunner() {}

  public static RunResult run(
      Scenario scenario,
      Target target,
      Gauges gauges,
      Progress progress,
      Map<String, Object> extraSettings,
      List<String> notes) {
    String started = Instant.now().toString();
    OpenLoopGenerator gen =
        new OpenLoopGenerator(scenario.settings(), target, NanoClock.SYSTEM, gauges, progress);
    RunOutput out = gen.run();
    Map<String, Object> settings =
        new java.util.LinkedHashMap<>(Scenarios.describe(scenario.settings()));
    settings.putAll(extraSettings);
    settings.put("runId", gen.runId());
    List<String> allNotes = new ArrayList<>(notes);
    if (out.summary().unsent() > 0 || out.summary().maxBacklog() > 0) {
      allNotes.add(
          "The system did not keep up: up to "
              + out.summary().maxBacklog()
              + " arrivals waited for a concurrency slot and "
              + out.summary().unsent()
              + " were never sent. Latencies include that wait.");
    }
    return new RunResult(
        scenario.name(),
        scenario.description(),
        target.describe(),
        started,
        RunResult.thisMachine(),
        settings,
        out.summary(),
        out.timeline(),
        allNotes,
        ScaleAnalysis.derive(scenario.settings().phases(), out.timeline()));
  }
}
