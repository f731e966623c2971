package io.sluice.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.loadtest.generator.RatePhase;
import io.sluice.loadtest.report.TimelinePoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleAnalysisTest {
  private static final List<RatePhase> BURST =
      List.of(
          new RatePhase("base", Duration.ofSeconds(3), 5),
          new RatePhase("burst", Duration.ofSeconds(3), 50),
          new RatePhase("cool-down", Duration.ofSeconds(3), 5));

  private static TimelinePoint at(double t, Map<String, Double> gauges) {
    return new TimelinePoint(t, "x", false, 0, 0, 0, 0, 0, 0, 0, 0, gauges);
  }

  @Test
  void scaleUpIsTimedFromTheStartOfTheBurst() {
    List<TimelinePoint> tl = new ArrayList<>();
    double[] replicasA = {1, 1, 1, 1, 1, 2, 3, 3, 2};
    double[] lagA = {0, 0, 0, 40, 90, 60, 10, 0, 0};
    for (int i = 0; i < replicasA.length; i++) {
      tl.add(at(i + 1, Map.of("replicas.a", replicasA[i], "lag.a", lagA[i], "replicas.b", 1.0)));
    }

    Map<String, Object> d = ScaleAnalysis.derive(BURST, tl);

    assertThat(d)
        .containsEntry("burstStartSeconds", 3.0)
        .containsEntry("replicasBefore.a", 1.0)
        .containsEntry("replicasPeak.a", 3.0)
        .containsEntry("scaleUpSeconds.a", 3.0)
        .containsEntry("lagPeak.a", 90.0)
        .containsEntry("scaleUpSeconds.b", "did not scale up");
  }

  @Test
  void steadyRunsDeriveNothing() {
    assertThat(
            ScaleAnalysis.derive(
                List.of(new RatePhase("s", Duration.ofSeconds(5), 10)),
                List.of(at(1, Map.of("replicas.a", 1.0)))))
        .isEmpty();
  }
}
