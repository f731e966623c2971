package io.sluice.loadtest.generator;

import java.time.Duration;

/**
 * A stretch of the run at one arrival rate.
 *
 * @param label shown in the report (e.g. {@code warm-up}, {@code burst})
 * @param duration how long the phase lasts
 * @param ratePerSecond intended arrivals per second (0 means a pause)
 */
public record RatePhase(String label, Duration duration, double ratePerSecond) {
  public RatePhase {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("phase '" + label + "': duration must be >= 0");
    }
    if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "phase '" + label + "': rate must be a finite number >= 0, got " + ratePerSecond);
    }
  }

  /** Arrivals this phase schedules: {@code ceil(duration * rate)}, the first at its start. */
  public long arrivals() {
    double n = duration.toNanos() / 1e9 * ratePerSecond;
    return (long) Math.ceil(n - 1e-9);
  }
}
