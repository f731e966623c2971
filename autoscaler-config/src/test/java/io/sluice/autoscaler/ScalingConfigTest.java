package io.sluice.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScalingConfigTest {

  @Test
  void defaultsAreKedasAndKubernetes() {
    ScalingConfig c = ScalingConfig.defaults();

    assertThat(c.lagThreshold()).isEqualTo(10);
    assertThat(c.activationLagThreshold()).isZero();
    assertThat(c.offsetResetPolicy()).isEqualTo(OffsetResetPolicy.LATEST);
    assertThat(c.minReplicaCount()).isZero();
    assertThat(c.maxReplicaCount()).isEqualTo(100);
    assertThat(c.cooldownPeriod()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.pollingInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.tolerance()).isEqualTo(0.1);
    assertThat(c.behavior()).isEqualTo(ScalingBehavior.kubernetesDefault());
    assertThat(c.hpaMinReplicas()).isEqualTo(1);
  }

  @Test
  void readsKedaKeysFromAMap() {
    ScalingConfig c =
        ScalingConfig.fromMap(
            Map.of(
                "lagThreshold", 5,
                "offsetResetPolicy", "earliest",
                "allowIdleConsumers", "true",
                "maxReplicaCount", 4,
                "cooldownPeriod", 60));

    assertThat(c.lagThreshold()).isEqualTo(5);
    assertThat(c.offsetResetPolicy()).isEqualTo(OffsetResetPolicy.EARLIEST);
    assertThat(c.allowIdleConsumers()).isTrue();
    assertThat(c.maxReplicaCount()).isEqualTo(4);
    assertThat(c.cooldownPeriod()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @ParameterizedTest(name = "{0}={1} is rejected naming the key")
  @CsvSource({
    "lagThreshold, 0",
    "lagThreshold, ten",
    "activationLagThreshold, -1",
    "offsetResetPolicy, newest",
    "allowIdleConsumers, yes",
    "minReplicaCount, -1",
    "maxReplicaCount, 0",
    "pollingInterval, 0",
    "tolerance, 1.5",
    "lagthreshold, 10",
  })
  void rejectsBadValuesWithTheKeyInTheMessage(String key, String value) {
    assertThatThrownBy(() -> ScalingConfig.fromMap(Map.of(key, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key);
  }

  @Test
  void rejectsMinAboveMaxAndIdleConsumersWithLimitToPartitionsWithLag() {
    assertThatThrownBy(
            () -> ScalingConfig.fromMap(Map.of("minReplicaCount", 5, "maxReplicaCount", 4)))
        .hasMessageContaining("maxReplicaCount=4");
    assertThatThrownBy(
            () ->
                ScalingConfig.fromMap(
                    Map.of("allowIdleConsumers", true, "limitToPartitionsWithLag", true)))
        .hasMessageContaining("allowIdleConsumers");
  }
}
