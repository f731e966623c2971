package io.sluice.devstack.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.bridge.batch.BatchEndpoint;
import io.sluice.bridge.batch.BatchLine;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InFlightTest {
  private static InFlight.Sent sent(int line, long giveUpAt) {
    BatchLine l =
        new BatchLine(
            line,
            "c" + line,
            BatchEndpoint.parse("/v1/apps/sentiment/infer"),
            "sentiment",
            null,
            Map.of());
    return new InFlight.Sent(l, "run:" + line, giveUpAt);
  }

  @Test
  void theFirstReplyTakesTheLineAndRepeatsAreDropped() {
    InFlight f = new InFlight();
    f.add(sent(1, 100));
    f.add(sent(2, 100));

    assertThat(f.complete("run:2").line().customId()).isEqualTo("c2");
    assertThat(f.complete("run:2")).isNull();
    assertThat(f.complete("run:2")).isNull();
    assertThat(f.complete("run:1").line().customId()).isEqualTo("c1");

    assertThat(f.size()).isZero();
    assertThat(f.duplicates()).isEqualTo(2);
    assertThat(f.late()).isZero();
    assertThat(f.foreign()).isZero();
  }

  @Test
  void aLineWhoseTimeIsUpIsGivenUpAndItsLateReplyDropped() {
    InFlight f = new InFlight();
    f.add(sent(1, 100));
    f.add(sent(2, 200));

    assertThat(f.expire(150)).extracting(InFlight.Sent::requestId).containsExactly("run:1");
    assertThat(f.expire(150)).isEmpty();
    assertThat(f.complete("run:1")).isNull();
    assertThat(f.late()).isEqualTo(1);
    assertThat(f.size()).isEqualTo(1);
  }

  @Test
  void repliesToOtherRunsAreCountedAsForeign() {
    InFlight f = new InFlight();
    f.add(sent(1, 100));

    assertThat(f.complete("other:1")).isNull();
    assertThat(f.foreign()).isEqualTo(1);
    assertThat(f.abandon("run:1")).isTrue();
    assertThat(f.abandon("run:1")).isFalse();
    assertThat(f.complete("run:1")).isNull();
    assertThat(f.late()).isEqualTo(1);
  }
}
