package io.sluice.functions.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class WorkerKafkaPropsTest {

  private static WorkerConfig config(Map<String, String> extra) {
    Map<String, String> raw = new java.util.HashMap<>(Map.of("sluice.worker.deployment", "chat"));
    raw.putAll(extra);
    return WorkerConfig.of(raw);
  }

  @Test
  void consumerTakesTheSharedSessionTimeout() {
    Properties p = WorkerApp.consumerProps(config(Map.of()), "i1");
    assertThat(p.get("session.timeout.ms")).isEqualTo(6000);
    assertThat(p.get("heartbeat.interval.ms")).isEqualTo(2000);

    Properties q =
        WorkerApp.consumerProps(config(Map.of("sluice.kafka.session-timeout-ms", "9000")), "i1");
    assertThat(q.get("session.timeout.ms")).isEqualTo(9000);
    assertThat(q.get("heartbeat.interval.ms")).isEqualTo(3000);
  }

  @Test
  void producerTakesTheOneRecordSizeLimit() {
    Properties p =
        WorkerApp.producerProps(config(Map.of("sluice.kafka.max-message-bytes", "200000")), "i1");
    assertThat(p.get("max.request.size")).isEqualTo(200000);
  }

  @Test
  void userOverridesStillWin() {
    WorkerConfig c =
        config(
            Map.of(
                "sluice.kafka.consumer.session.timeout.ms", "12000",
                "sluice.kafka.producer.max.request.size", "300000"));
    assertThat(WorkerApp.consumerProps(c, "i1").get("session.timeout.ms")).isEqualTo("12000");
    assertThat(WorkerApp.producerProps(c, "i1").get("max.request.size")).isEqualTo("300000");
  }
}
