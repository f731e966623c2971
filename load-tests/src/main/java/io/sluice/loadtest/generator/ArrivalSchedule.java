package io.sluice.loadtest.generator;

import java.util.List;

/**
 * The intended send times of an open-loop run: arrival {@code k} of a phase that starts at {@code
 * S} with rate {@code r} is due at {@code S + k / r}. Each time is computed from the phase start,
 * not by adding intervals, so rounding never drifts the rate.
 */
public final class ArrivalSchedule {
  private final List<RatePhase> phases;
  private int phase;
  private long indexInPhase;
  private long phaseStartNanos;

  public ArrivalSchedule(List<RatePhase> phases) {
    this.phases = List.copyOf(phases);
  }

  /** Offset of the next arrival from the run's start in nanoseconds, or -1 after the last one. */
  public long peek() {
    while (phase < phases.size()) {
      RatePhase p = phases.get(phase);
      if (indexInPhase < p.arrivals()) {
        return phaseStartNanos + (long) (indexInPhase * 1e9 / p.ratePerSecond());
      }
      phaseStartNanos += p.duration().toNanos();
      phase++;
      indexInPhase = 0;
    }
    return -1;
  }

  /** Consumes the arrival {@link #peek()} returned. */
  public void advance() {
    if (peek() >= 0) {
      indexInPhase++;
    }
  }

  /** Total length of the schedule in nanoseconds. */
  public long totalNanos() {
    return phases.stream().mapToLong(p -> p.duration().toNanos()).sum();
  }

  /** Total arrivals of the schedule. */
  public long totalArrivals() {
    return phases.stream().mapToLong(RatePhase::arrivals).sum();
  }
}
