package io.sluice.loadtest.scenario;

import io.sluice.loadtest.generator.RatePhase;
import io.sluice.loadtest.report.TimelinePoint;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Scale-up after a burst, read from the timeline's {@code replicas.<deployment>} and {@code
 * lag.<deployment>} gauges: replicas before the burst, the peak, the seconds from the burst's start
 * to the first sample with more replicas, and the peak lag. The burst is the phase with the highest
 * rate, when the run has more than one phase.
 */
public final class ScaleAnalysis {
  private ScaleAnalysis() {}

  public static Map<String, Object> derive(List<RatePhase> phases, List<TimelinePoint> timeline) {
    Map<String, Object> out = new TreeMap<>();
    if (phases.size() < 2 || timeline.isEmpty()) {
      return out;
    }
    double burstStart = 0;
    double t = 0;
    double maxRate = -1;
    for (RatePhase p : phases) {
      if (p.ratePerSecond() > maxRate) {
        maxRate = p.ratePerSecond();
        burstStart = t;
      }
      t += p.duration().toMillis() / 1000.0;
    }
    out.put("burstStartSeconds", burstStart);
    TreeSet<String> deployments = new TreeSet<>();
    timeline.forEach(
        p ->
            p.gauges().keySet().stream()
                .filter(k -> k.startsWith("replicas."))
                .forEach(k -> deployments.add(k.substring("replicas.".length()))));
    for (String d : deployments) {
      String key = "replicas." + d;
      double before = 0;
      double peak = 0;
      Double scaleUp = null;
      double lagPeak = 0;
      for (TimelinePoint p : timeline) {
        Double r = p.gauges().get(key);
        lagPeak = Math.max(lagPeak, p.gauges().getOrDefault("lag." + d, 0.0));
        if (r == null) {
          continue;
        }
        if (p.t() <= burstStart) {
          before = r;
        } else if (scaleUp == null && r > before) {
          scaleUp = p.t() - burstStart;
        }
        peak = Math.max(peak, r);
      }
      out.put("replicasBefore." + d, before);
      out.put("replicasPeak." + d, peak);
      out.put("scaleUpSeconds." + d, scaleUp == null ? "did not scale up" : scaleUp);
      out.put("lagPeak." + d, lagPeak);
    }
    return out;
  }
}
