package io.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BackendChoiceTest {

  @Test
  void parsesModesCaseInsensitively() {
    assertThat(BackendChoice.Mode.parse(" Embedded ")).isEqualTo(BackendChoice.Mode.EMBEDDED);
    assertThat(BackendChoice.Mode.parse("container")).isEqualTo(BackendChoice.Mode.CONTAINER);
    assertThatThrownBy(() -> BackendChoice.Mode.parse("docker"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sluice.test.kafka=docker");
  }

  @Test
  void detectionAnswerIsPassedThrough() {
    assertThat(BackendChoice.dockerAvailable(() -> true, Duration.ofSeconds(5))).isTrue();
    assertThat(BackendChoice.dockerAvailable(() -> false, Duration.ofSeconds(5))).isFalse();
  }

  @Test
  void failingDetectionMeansNoDocker() {
    assertThat(
            BackendChoice.dockerAvailable(
                () -> {
                  throw new IllegalStateException("no socket");
                },
                Duration.ofSeconds(5)))
        .isFalse();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void hangingDetectionTimesOutAsNoDocker() {
    CountDownLatch never = new CountDownLatch(1);
    boolean available =
        BackendChoice.dockerAvailable(
            () -> {
              try {
                return never.await(1, TimeUnit.HOURS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
              }
            },
            Duration.ofMillis(200));
    assertThat(available).isFalse();
  }
}
