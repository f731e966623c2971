package io.sluice.loadtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The definition of "normal again" after a kill, on hand-made request timelines. */
class RecoveryTest {
  private static final long T0 = 1_000_000_000L;

  /** A request intended at {@code atMs} after the start, answered {@code latencyMs} later. */
  private static Tracked answered(long atMs, double latencyMs) {
    Tracked t = new Tracked("r" + atMs, Tracked.Path.KAFKA, "chat", T0 + atMs * 1_000_000);
    t.acceptedNanos = t.intendedNanos + 1_000_000;
    t.answeredNanos = t.intendedNanos + (long) (latencyMs * 1_000_000);
    return t;
  }

  private static Tracked lost(long atMs) {
    Tracked t = new Tracked("r" + atMs, Tracked.Path.KAFKA, "chat", T0 + atMs * 1_000_000);
    t.acceptedNanos = t.intendedNanos + 1_000_000;
    return t;
  }

  /** 10 requests a second for {@code seconds}, latency by second. */
  private static List<Tracked> timeline(int seconds, java.util.function.IntToDoubleFunction ms) {
    List<Tracked> all = new ArrayList<>();
    for (int s = 0; s < seconds; s++) {
      for (int i = 0; i < 10; i++) {
        all.add(answered(s * 1000L + i * 100L, ms.applyAsDouble(s)));
      }
    }
    return all;
  }

  @Test
  void recoveryIsTheStartOfThreeNormalWindowsAfterTheKill() {
    // 50 ms before a kill at 20.5 s; 5 s of 3 s latencies; 50 ms from 26 s on.
    List<Tracked> all = timeline(40, s -> s >= 20 && s <= 25 ? 3000 : 50);
    Recovery.Result r = Recovery.after(Recovery.windows(all, T0), 20_500);
    assertThat(r.baselineP99Ms()).isEqualTo(50);
    assertThat(r.thresholdMs()).isEqualTo(150); // baseline + 100 ms beats 2 x 50 ms
    assertThat(r.recoveryMs()).isEqualTo(26_000 - 20_500);
    assertThat(r.worstMs()).isEqualTo(3000);
    assertThat(r.unanswered()).isZero();
  }

  @Test
  void aKillThatCostsNothingRecoversAtOnce() {
    Recovery.Result r = Recovery.after(Recovery.windows(timeline(30, s -> 40), T0), 15_300);
    assertThat(r.recoveryMs()).isZero();
  }

  @Test
  void aLostRequestKeepsItsWindowAbnormal() {
    List<Tracked> all = timeline(30, s -> 40);
    all.add(lost(21_050)); // window 20 is normal, 21 is not: the run of three starts at 22
    Recovery.Result r = Recovery.after(Recovery.windows(all, T0), 20_000);
    assertThat(r.recoveryMs()).isEqualTo(22_000 - 20_000);
    assertThat(r.unanswered()).isEqualTo(1);
  }

  @Test
  void neverNormalAgainIsSaid() {
    List<Tracked> all = timeline(30, s -> s < 15 ? 40 : 5000);
    assertThat(Recovery.after(Recovery.windows(all, T0), 15_000).recoveryMs()).isEqualTo(-1);
  }

  @Test
  void aSlowBaselineDoublesTheThreshold() {
    List<Tracked> all = timeline(30, s -> s < 15 ? 400 : (s < 18 ? 900 : 700));
    Recovery.Result r = Recovery.after(Recovery.windows(all, T0), 15_000);
    assertThat(r.thresholdMs()).isEqualTo(800);
    assertThat(r.recoveryMs()).isEqualTo(3000);
  }
}
