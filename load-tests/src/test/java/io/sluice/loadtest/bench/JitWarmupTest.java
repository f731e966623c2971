package io.sluice.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitWarmupTest {
  /** A fake clock and JIT: each step takes 1 s; the JIT compiles {@code ms[i]} during step i. */
  private static JitWarmup.Outcome run(int maxSeconds, long... msPerStep) throws Exception {
    AtomicLong now = new AtomicLong();
    AtomicLong compiled = new AtomicLong();
    AtomicLong steps = new AtomicLong();
    return JitWarmup.untilQuiet(
        () -> {
          int i = (int) steps.getAndIncrement();
          compiled.addAndGet(i < msPerStep.length ? msPerStep[i] : msPerStep[msPerStep.length - 1]);
          now.addAndGet(1_000_000_000L);
        },
        maxSeconds,
        compiled::get,
        now::get);
  }

  @Test
  void endsAfterTwoQuietStepsInARow() throws Exception {
    // 40 % of step 1, 20 %, 3 % (quiet), 30 % (not: the count starts again), then quiet.
    JitWarmup.Outcome o = run(120, 400, 200, 30, 300, 20, 10, 0);
    assertThat(o.quiet()).isTrue();
    assertThat(o.steps()).isEqualTo(6);
    assertThat(o.seconds()).isEqualTo(6.0);
    assertThat(o.lastShare()).isEqualTo(0.01);
  }

  @Test
  void stopsAtTheCapWhileTheJitIsStillBusy() throws Exception {
    JitWarmup.Outcome o = run(10, 500);
    assertThat(o.quiet()).isFalse();
    assertThat(o.steps()).isEqualTo(10);
    assertThat(o.lastShare()).isEqualTo(0.5);
  }

  @Test
  void aStepAtTheThresholdIsNotQuiet() throws Exception {
    // 5 % is not under 5 %: the warm-up goes on until the cap.
    JitWarmup.Outcome o = run(4, 50);
    assertThat(o.quiet()).isFalse();
    assertThat(o.steps()).isEqualTo(4);
  }
}
