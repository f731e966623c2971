package io.sluice.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PercentilesTest {
  private static Histogram of(long... values) {
    Histogram h = new Histogram(3_600_000_000L, 3);
    for (long v : values) {
      h.recordValue(v);
    }
    return h;
  }

  @Test
  void interpolatesInsideTheGridIntervalThatHoldsTheMiddle() {
    // Three values at 1.0 ms and one at 1.5 on a 0.5 ms grid (µs): the middle (2 of 4) is two
    // thirds into the interval [0.75, 1.25) that the three at 1.0 stand for.
    assertThat(Percentiles.groupedMedian(of(1000, 1000, 1000, 1500), 500))
        .isCloseTo(750 + 500 * 2.0 / 3, within(1e-9));
    // All on one point: the middle of its interval, the point itself.
    assertThat(Percentiles.groupedMedian(of(2000, 2000, 2000, 2000), 500))
        .isCloseTo(2000, within(1e-9));
  }

  @Test
  void movesByTheShareOfValuesThatMovedNotByAWholeStep() {
    // 51 of 100 at 1.0 and the rest at 1.5 against 49 and 51: the plain median jumps from 1.0 to
    // 1.5; the grouped one moves by 0.02 of a step (0.5 ms) each side of the boundary.
    long[] a = new long[100];
    long[] b = new long[100];
    for (int i = 0; i < 100; i++) {
      a[i] = i < 51 ? 1000 : 1500;
      b[i] = i < 49 ? 1000 : 1500;
    }
    Histogram ha = of(a);
    Histogram hb = of(b);
    assertThat(ha.getValueAtPercentile(50)).isEqualTo(1000);
    assertThat(hb.getValueAtPercentile(50)).isEqualTo(1500);
    double ga = Percentiles.groupedMedian(ha, 500);
    double gb = Percentiles.groupedMedian(hb, 500);
    assertThat(ga).isCloseTo(750 + 500 * 50.0 / 51, within(1e-9));
    assertThat(gb).isCloseTo(1250 + 500 * 1.0 / 51, within(1e-9));
    assertThat(gb - ga).isLessThan(30);
  }

  @Test
  void wholeMillisecondsInAMillisecondHistogramAndLargeValuesRoundToTheirGridPoint() {
    // ms recorded as ms (grid 1), and values where the histogram's buckets are wider than 1.
    assertThat(Percentiles.groupedMedian(of(12, 13, 13, 14), 1)).isCloseTo(13, within(1e-9));
    assertThat(Percentiles.groupedMedian(of(250_000, 250_000, 251_000), 1000))
        .isCloseTo(249_500 + 1000 * 1.5 / 2, within(1e-9));
  }

  @Test
  void emptyIsZeroAllAtZeroIsZeroAndTheGridMustBePositive() {
    assertThat(Percentiles.groupedMedian(of(), 500)).isZero();
    assertThat(Percentiles.groupedMedian(of(0, 0, 0, 0), 500)).isZero();
    assertThat(Percentiles.groupedMedian(of(0, 0, 0, 500), 500))
        .isCloseTo(-250 + 500 * 2.0 / 3, within(1e-9));
    assertThatThrownBy(() -> Percentiles.groupedMedian(of(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
