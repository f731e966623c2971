package io.sluice.functions.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link Backoff} is equal jitter, as its Javadoc and the functions README say. */
class BackoffTest {
  private static final Backoff RETRY =
      new Backoff(5, Duration.ofMillis(200), Duration.ofSeconds(1));

  private static LongSummaryStatistics draws(int retry) {
    return IntStream.range(0, 2_000).mapToLong(i -> RETRY.delayMs(retry)).summaryStatistics();
  }

  @Test
  void everyDelayIsInTheUpperHalfOfItsDoublingCeiling() {
    // Full jitter would draw from [0, c]: in 2000 draws some would fall below c/2.
    assertThat(draws(1).getMin()).isGreaterThanOrEqualTo(100);
    assertThat(draws(1).getMax()).isLessThanOrEqualTo(200);
    assertThat(draws(2).getMin()).isGreaterThanOrEqualTo(200);
    assertThat(draws(2).getMax()).isLessThanOrEqualTo(400);
    assertThat(draws(3).getMin()).isGreaterThanOrEqualTo(400);
    assertThat(draws(3).getMax()).isLessThanOrEqualTo(800);
  }

  @Test
  void theRandomHalfIsActuallyRandom() {
    LongSummaryStatistics first = draws(1);
    assertThat(first.getMax() - first.getMin()).isGreaterThan(50);
  }

  @Test
  void theCeilingStopsDoublingAtMax() {
    LongSummaryStatistics late = draws(5); // 200 * 16 = 3200, capped to 1000
    assertThat(late.getMin()).isGreaterThanOrEqualTo(500);
    assertThat(late.getMax()).isLessThanOrEqualTo(1000);
  }

  @Test
  void aRetryAfterFloorWinsButStaysCapped() {
    assertThat(RETRY.delayMs(1, 700)).isEqualTo(700);
    assertThat(RETRY.delayMs(1, 60_000)).isEqualTo(1000);
  }

  @Test
  void noneNeverRetriesAndBadBoundsAreRefused() {
    assertThat(Backoff.none().maxAttempts()).isEqualTo(1);
    assertThat(Backoff.none().delayMs(3)).isZero();
    assertThatThrownBy(() -> new Backoff(0, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(2, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
