package io.sluice.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenariosTest {

  @Test
  void theStandardScenariosFitInTenMinutesWithTheirDrains() {
    List<Scenario> all = Scenarios.standard(1.0);
    assertThat(all).extracting(Scenario::name).containsExactlyElementsOf(Scenarios.NAMES);
    Duration scheduled =
        all.stream().map(s -> s.settings().totalDuration()).reduce(Duration.ZERO, Duration::plus);
    assertThat(scheduled).isEqualTo(Duration.ofSeconds(320));
    // Worst case every run waits out a 30 s drain: still under ten minutes.
    assertThat(scheduled.plusSeconds(30L * all.size())).isLessThan(Duration.ofMinutes(10));
  }

  @Test
  void eachScenarioHasTheShapeItPromises() {
    assertThat(Scenarios.byName("burst", 1).settings().phases())
        .extracting(p -> p.ratePerSecond())
        .containsExactly(5.0, 50.0, 5.0);
    assertThat(Scenarios.byName("ab-sticky", 1).settings().keys()).isEqualTo("fixed:200");
    assertThat(Scenarios.byName("priority-mix", 1).settings().bulkFraction()).isEqualTo(0.5);
    assertThat(Scenarios.byName("large-payload", 1).settings().payloadBytes()).isEqualTo(65_536);
    assertThat(Scenarios.byName("steady", 2).settings().phases().get(0).ratePerSecond())
        .isEqualTo(100.0);
    assertThat(Scenarios.describe(Scenarios.byName("burst", 1).settings()).get("phases"))
        .isEqualTo("base 20s @ 5.0/s, burst 20s @ 50.0/s, cool-down 40s @ 5.0/s");
  }

  @Test
  void unknownNamesAreRejected() {
    assertThatThrownBy(() -> Scenarios.byName("soak", 1))
        .hasMessageContaining("'soak'")
        .hasMessageContaining("steady");
  }
}
