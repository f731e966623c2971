package io.sluice.functions.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.InferenceResponse;
import io.sluice.functions.worker.WorkerApp;
import io.sluice.functions.worker.WorkerConfig;
import io.sluice.schemas.Topics;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Recovery after kill -9: a worker in its own JVM is SIGKILLed (no close, no LeaveGroup), and the
 * surviving replica must serve the dead one's partitions within seconds, not after Kafka's 45 s
 * default session timeout.
 */
@SluiceKafka
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WorkerKillIT {
  private static final int PARTITIONS = 4;
  private final KafkaCluster kafka;

  WorkerKillIT(KafkaCluster kafka) {
    this.kafka = kafka;
  }

  @Test
  void aSigkilledWorkersPartitionsAreServedByTheSurvivorWithinSeconds() throws Exception {
    try (WorkerFixture fx = new WorkerFixture(kafka, PARTITIONS)) {
      String group = Topics.workerGroup(fx.deployment);
      Process victim = spawn(fx, kafka.uniqueId("victim"));
      WorkerApp survivor = null;
      try {
        Awaitility.await("the victim owns every partition")
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions() // the group does not exist until the victim joins
            .until(() -> assigned(group).size() == 1 && total(group) == PARTITIONS);

        survivor =
            WorkerApp.start(
                fx.workerConfig(Map.of(WorkerConfig.INSTANCE_ID, kafka.uniqueId("survivor"))),
                new RecordingFunction(),
                new SimpleMeterRegistry());
        Awaitility.await("both members hold partitions")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  List<Integer> counts = assigned(group);
                  return counts.size() == 2
                      && counts.stream().allMatch(n -> n > 0)
                      && total(group) == PARTITIONS;
                });

        victim.destroyForcibly(); // SIGKILL on Unix: the member simply vanishes
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long killed = System.nanoTime();

        Set<String> ids = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
          String id = "after-kill-" + p;
          ids.add(id);
          fx.send("b" + p, List.of(fx.request(id, "fine")), p);
        }
        // Reads until every partition's request is answered (the reader's own bound is 60 s, so a
        // 45 s session timeout shows as a failed assertion below, with the time it took).
        fx.replies(
            r ->
                r.stream()
                    .map(InferenceResponse::getRequestId)
                    .collect(Collectors.toSet())
                    .containsAll(ids));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        System.out.printf("worker takeover after SIGKILL: %d ms%n", tookMs);
        assertThat(tookMs).isLessThan(20_000);
      } finally {
        victim.destroyForcibly();
        if (survivor != null) {
          survivor.close();
        }
      }
    }
  }

  @Test
  void aStaticMemberThatStopsGracefullyLeavesTheGroupAtOnce() throws Exception {
    try (WorkerFixture fx = new WorkerFixture(kafka, 1)) {
      String group = Topics.workerGroup(fx.deployment);
      WorkerApp worker =
          WorkerApp.start(
              fx.workerConfig(Map.of(WorkerConfig.INSTANCE_ID, kafka.uniqueId("static"))),
              new RecordingFunction(),
              new SimpleMeterRegistry());
      Awaitility.await("the member joined")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> total(group) == 1);

      worker.close();
      long closed = System.nanoTime();

      // Well inside the 6 s session timeout a member that merely stayed would still hold it.
      Awaitility.await("the member left")
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> members(group) == 0);
      System.out.printf(
          "static member gone %d ms after close%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed));
    }
  }

  private int members(String group) throws Exception {
    return kafka
        .admin()
        .describeConsumerGroups(List.of(group))
        .all()
        .get(10, TimeUnit.SECONDS)
        .get(group)
        .members()
        .size();
  }

  private Process spawn(WorkerFixture fx, String instanceId) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(WorkerProcessMain.class.getName());
    Map<String, String> config = fx.config();
    config.put(WorkerConfig.FUNCTION, "preprocess");
    config.put(WorkerConfig.SCHEMA_REGISTRY_URL, "mock://" + instanceId); // never decodes here
    config.put(WorkerConfig.INSTANCE_ID, instanceId);
    config.forEach((k, v) -> cmd.add(k + "=" + v));
    File log = new File("target", instanceId + ".log");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }

  /** The number of partitions each member of the group holds (Stable groups only). */
  private List<Integer> assigned(String group) throws Exception {
    ConsumerGroupDescription d =
        kafka
            .admin()
            .describeConsumerGroups(List.of(group))
            .all()
            .get(10, TimeUnit.SECONDS)
            .get(group);
    if (!"STABLE".equals(d.groupState().name())) {
      return List.of();
    }
    return d.members().stream()
        .map(MemberDescription::assignment)
        .map(a -> a.topicPartitions().size())
        .toList();
  }

  private int total(String group) throws Exception {
    return assigned(group).stream().mapToInt(Integer::intValue).sum();
  }
}
