package io.sluice.loadtest.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeapReadingTest {
  @Test
  void readsTheBridgeJvmsAnswer() {
    HeapReading h = HeapReading.parse("heap 734003200 104857600 1073741824 10000 10123");
    assertThat(h.usedBefore()).isEqualTo(734_003_200L);
    assertThat(h.usedAfterGcMib()).isEqualTo(100.0);
    assertThat(h.usedBeforeMib()).isEqualTo(700.0);
    assertThat(h.committedMib()).isEqualTo(1024.0);
    assertThat(h.inFlight()).isEqualTo(10_000);
    assertThat(h.fds()).isEqualTo(10_123);
  }

  @Test
  void anythingElseIsRefusedWithTheLineInTheMessage() {
    assertThatThrownBy(() -> HeapReading.parse("failed: bridge not ready after 60 s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("failed: bridge not ready");
    assertThatThrownBy(() -> HeapReading.parse("heap 1 2 x 4 5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("heap 1 2 x 4 5");
    assertThatThrownBy(() -> HeapReading.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
