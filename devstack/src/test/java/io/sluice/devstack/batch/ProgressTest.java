package io.sluice.devstack.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private static final long S = 1_000_000_000L;

  @Test
  void rendersDoneFailedTotalRateAndEta() {
    // 1200 of 2000 done, 1000 of them by this run in 4 s: 250/s, 800 left: 4 s.
    String line = Progress.render(new Progress.Snapshot(1190, 10, 2000, 64, 1000, 4 * S));
    assertThat(line)
        .isEqualTo(
            "[##############..........] 1200/2000 60% | failed 10 | in flight 64 | 250.0 lines/s"
                + " | ETA 4s");
  }

  @Test
  void beforeTheFirstAnswerTheEtaIsUnknownAndWhenDoneItIsZero() {
    assertThat(Progress.render(new Progress.Snapshot(0, 0, 10, 3, 0, 2 * S)))
        .startsWith("[........................] 0/10 0%")
        .endsWith("0.0 lines/s | ETA --");
    assertThat(Progress.render(new Progress.Snapshot(8, 2, 10, 0, 10, S)))
        .startsWith("[########################] 10/10 100% | failed 2")
        .endsWith("| ETA 0s");
  }

  @Test
  void longEtasReadAsMinutesAndHours() {
    assertThat(Progress.duration(59)).isEqualTo("59s");
    assertThat(Progress.duration(185)).isEqualTo("3m05s");
    assertThat(Progress.duration(7620)).isEqualTo("2h07m");
  }

  @Test
  void onATerminalTheLineIsRedrawnInPlace() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress p =
        new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 4, 0, 0, 0);
    p.tick(Progress.TTY_EVERY_NANOS / 2); // not due yet
    assertThat(bytes.size()).isZero();
    p.answered(true);
    p.tick(Progress.TTY_EVERY_NANOS);
    p.answered(false);
    p.finish(2 * Progress.TTY_EVERY_NANOS);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out.split("\r", -1)).hasSize(3);
    assertThat(out).startsWith("\r[######").contains("1/4 25%").contains("2/4 50% | failed 1");
    assertThat(out).endsWith("\n").doesNotContain("\n\r");
  }

  @Test
  void elsewhereAPlainLineIsPrintedEveryFewSeconds() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progress p =
        new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 4, 1, 1, 0);
    for (long t = 0; t <= 2 * Progress.PLAIN_EVERY_NANOS; t += Progress.TTY_EVERY_NANOS) {
      p.tick(t);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("\r");
    assertThat(out.lines()).hasSize(2).allMatch(l -> l.contains("2/4 50% | failed 1"));
  }

  @Test
  void resumedLinesCountAsDoneButNotInTheRate() {
    Progress p =
        new Progress(
            new PrintStream(new ByteArrayOutputStream(), false, StandardCharsets.UTF_8),
            false,
            10,
            5,
            1,
            0);
    p.answered(true);
    p.inFlight(2);
    Progress.Snapshot s = p.snapshot(S);
    assertThat(s.done()).isEqualTo(7);
    assertThat(s.rate()).isEqualTo(1.0);
    assertThat(s.inFlight()).isEqualTo(2);
  }
}
