package io.sluice.loadtest.entry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.loadtest.generator.Gauges;
import io.sluice.loadtest.generator.GeneratorSettings;
import io.sluice.loadtest.generator.NanoClock;
import io.sluice.loadtest.generator.OpenLoopGenerator;
import io.sluice.loadtest.generator.Progress;
import io.sluice.loadtest.generator.RunOutput;
import io.sluice.loadtest.report.Summary;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.registry.store.InMemorySchemaStore;
import io.sluice.schemas.Topics;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@SluiceKafka
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaTargetIT {

  @Test
  void anOpenLoopRunThroughTheRequestTopicGetsEveryReplyBack(KafkaCluster kafka) throws Exception {
    String app = kafka.uniqueId("lt-echo");
    kafka.createTopic(Topics.requests(app), 3);
    try (EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.builder(new InMemorySchemaStore(), 0)
                .host("127.0.0.1")
                .build()
                .start();
        EchoReplier echo =
            new EchoReplier(kafka.bootstrapServers(), registry.url(), app, kafka.uniqueId("echo"));
        KafkaTarget target =
            KafkaTarget.start(
                kafka.bootstrapServers(), registry.url(), app, Duration.ofSeconds(20))) {
      GeneratorSettings settings =
          GeneratorSettings.steady(app, 100, Duration.ofSeconds(3), Duration.ofSeconds(1))
              .withKeys("fixed:16")
              .withBulkFraction(0.5)
              .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(25));

      RunOutput out =
          new OpenLoopGenerator(settings, target, NanoClock.SYSTEM, Gauges.NONE, Progress.NONE)
              .run();
      Summary s = out.summary();

      assertThat(s.scheduled()).isEqualTo(300);
      assertThat(s.sent()).isEqualTo(300);
      assertThat(s.unsent()).isZero();
      assertThat(s.errors()).as("errors %s", s.errorCodes()).isZero();
      assertThat(s.ok()).isEqualTo(300);
      assertThat(echo.answered()).isEqualTo(400); // warm-up included
      assertThat(target.undecodable()).isZero();
      assertThat(s.latency().count()).isEqualTo(300);
      assertThat(s.latency().p50()).isGreaterThan(0);
      assertThat(s.byVariant()).containsOnlyKeys("a", "b");
      assertThat(s.stickyKeys()).isEqualTo(16);
      assertThat(s.stickyViolations()).isZero();
      assertThat(s.byPriority()).containsOnlyKeys("INTERACTIVE", "BULK");
      assertThat(out.timeline()).hasSizeGreaterThanOrEqualTo(4);
    }
  }
}
