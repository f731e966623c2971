package io.sluice.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScheduleAndKeysTest {

  @Test
  void arrivalTimesAreComputedFromThePhaseStartWithoutDrift() {
    // 3 per second does not divide a second evenly: the 3000th arrival must still be exact.
    ArrivalSchedule s =
        new ArrivalSchedule(
            List.of(
                new RatePhase("a", Duration.ofSeconds(1000), 3),
                new RatePhase("b", Duration.ofSeconds(1), 10)));
    assertThat(s.totalArrivals()).isEqualTo(3010);
    long last = -1;
    int n = 0;
    long at3000 = -1;
    while (s.peek() >= 0) {
      assertThat(s.peek()).isGreaterThanOrEqualTo(last);
      last = s.peek();
      if (n == 3000) {
        at3000 = last;
      }
      s.advance();
      n++;
    }
    assertThat(n).isEqualTo(3010);
    assertThat(at3000).isEqualTo(1000_000_000_000L);
    assertThat(last).isEqualTo(1000_900_000_000L);
  }

  @Test
  void aPauseSchedulesNothing() {
    ArrivalSchedule s =
        new ArrivalSchedule(
            List.of(
                new RatePhase("pause", Duration.ofSeconds(5), 0),
                new RatePhase("go", Duration.ofSeconds(1), 2)));
    assertThat(s.peek()).isEqualTo(5_000_000_000L);
    assertThat(s.totalArrivals()).isEqualTo(2);
  }

  @Test
  void fixedKeysRecurInRoundRobin() {
    KeyDistribution d = KeyDistribution.parse("fixed:3");
    SplittableRandom r = new SplittableRandom(1);
    assertThat(List.of(d.next(r), d.next(r), d.next(r), d.next(r)))
        .containsExactly("user-0", "user-1", "user-2", "user-0");
  }

  @Test
  void zipfKeysAreSkewedTowardsTheFirst() {
    KeyDistribution d = KeyDistribution.parse("zipf:100:1.2");
    SplittableRandom r = new SplittableRandom(7);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      counts.merge(d.next(r), 1, Integer::sum);
    }
    assertThat(counts.get("key-0")).isGreaterThan(counts.get("key-1"));
    assertThat(counts.get("key-0")).isGreaterThan(20_000 / 5);
    assertThat(counts.getOrDefault("key-99", 0)).isLessThan(counts.get("key-9"));
  }

  @Test
  void uniformKeysCoverTheRange() {
    KeyDistribution d = KeyDistribution.parse("uniform:10");
    SplittableRandom r = new SplittableRandom(3);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      seen.add(d.next(r));
    }
    assertThat(seen).hasSize(10).contains("key-0", "key-9");
    assertThat(KeyDistribution.parse("none").next(r)).isNull();
  }

  @Test
  void badSpecsAreRejectedNamingWhatIsAllowed() {
    for (String bad : List.of("zipf", "fixed:0", "gauss:3", "uniform:x", "zipf:10:")) {
      assertThatThrownBy(() -> KeyDistribution.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'")
          .hasMessageContaining("uniform:N");
    }
  }

  @Test
  void payloadsHaveTheExactSize() {
    assertThat(Payloads.utf8Size(Payloads.text(65_536))).isEqualTo(65_536);
    assertThat(Payloads.text(0)).isEmpty();
  }
}
