package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CostModelTest {
  private final CostModel model = new CostModel(20, 5, 256, 2.0, 8, 0.25);

  @Test
  void slowdownGrowsLinearlyFromOneToTheConfiguredFactor() {
    assertThat(model.factor(1)).isEqualTo(1.0);
    assertThat(model.factor(256)).isEqualTo(2.0);
    assertThat(model.factor(1000)).isEqualTo(2.0);
    assertThat(model.factor(128)).isCloseTo(1.498, within(0.001));
  }

  @Test
  void sequenceTimeIsTtftPlusTpotPerFurtherToken() {
    assertThat(model.sequenceMs(1, 16)).isEqualTo(20 + 15 * 5.0);
    assertThat(model.sequenceMs(256, 16)).isEqualTo(2 * (20 + 15 * 5.0));
  }

  @Test
  void theLimitIsFrontEndBoundForSmallBatchesAndEngineBoundForLargeOnes() {
    assertThat(model.maxSequencesPerSecond(1, 16)).isCloseTo(1000 / 8.25, within(0.01));
    assertThat(model.maxSequencesPerSecond(8, 16)).isCloseTo(8000 / 10.0, within(0.01));
    assertThat(model.maxSequencesPerSecond(32, 16)).isCloseTo(256_000 / 190.0, within(0.01));
    assertThat(model.maxSequencesPerSecond(32, 16))
        .isGreaterThan(model.maxSequencesPerSecond(8, 16));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new CostModel(1, 1, 0, 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CostModel(1, 1, 1, 0.5, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void echoTextIsDeterministicAndExactlyMaxTokensLong() {
    assertThat(EchoText.output("hello big world", 5)).isEqualTo("hello big world hello big");
    assertThat(EchoText.output("", 2)).isEqualTo("sluice sluice");
    assertThat(EchoText.outputTokens("a b", 3)).containsExactly("a", " b", " a");
  }
}
