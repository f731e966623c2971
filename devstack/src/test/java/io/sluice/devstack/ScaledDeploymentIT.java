package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.autoscaler.LagReader;
import io.sluice.autoscaler.OffsetResetPolicy;
import io.sluice.autoscaler.ScalingConfig;
import io.sluice.schemas.Topics;
import io.sluice.testkit.Acks;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.PollLoop;
import io.sluice.testkit.SluiceKafka;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dev stack's scaling on a real broker: a burst scales a deployment from 1 to its max, an idle
 * one goes to 0 after the cooldown, the first new record brings it back, nothing is lost.
 */
@SluiceKafka
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ScaledDeploymentIT {

  /** A worker stand-in: a real consumer in the group that only commits while the gate is open. */
  static final class GatedReplica implements ScaledDeployment.Replica {
    private final PollLoop<String, String> loop;

    GatedReplica(Properties props, String topic, AtomicBoolean gate, Set<String> seen) {
      KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props);
      consumer.subscribe(List.of(topic));
      loop =
          PollLoop.start(
              "replica",
              consumer,
              c -> {
                if (!gate.get()) {
                  c.pause(c.assignment());
                } else {
                  c.resume(c.paused());
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                  seen.add(r.value());
                }
                try {
                  c.commitSync();
                } catch (RebalanceInProgressException | CommitFailedException e) {
                  // redelivered after the rebalance; `seen` is a set
                }
              });
    }

    @Override
    public boolean alive() {
      return loop.alive();
    }

    @Override
    public void close() {
      loop.close();
    }
  }

  @Test
  void burstScalesToMaxIdleScalesToZeroAndTheFirstRecordBringsItBack(KafkaCluster kafka)
      throws Exception {
    String deployment = kafka.uniqueId("scale");
    String topic = kafka.createTopic(Topics.batches(deployment), 4);
    AtomicBoolean gate = new AtomicBoolean(false);
    Set<String> seen = ConcurrentHashMap.newKeySet();

    Duration quick = Duration.ofSeconds(2);
    ScalingConfig config =
        ScalingConfig.builder()
            .lagThreshold(5)
            // As the workers: a new group starts at the earliest offset, so an empty topic is
            // idle (KEDA's "latest" would count 1 per uncommitted partition and never reach 0).
            .offsetResetPolicy(OffsetResetPolicy.EARLIEST)
            .minReplicaCount(0)
            .maxReplicaCount(4)
            .cooldownPeriod(quick)
            .behavior(ScaledDeploymentRestartTest.quickScaleDown(quick))
            .build();
    ScaledDeployment.ReplicaFactory factory =
        (d, i) -> {
          Properties p = new Properties();
          p.putAll(kafka.consumerProperties(Topics.workerGroup(d)));
          p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
          p.put(
              ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
              "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
          return new GatedReplica(p, topic, gate, seen);
        };

    try (LagReader reader =
            LagReader.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        ScaledDeployment scaled =
            new ScaledDeployment(
                deployment, config, factory, reader, new SimpleMeterRegistry(), Clock.systemUTC());
        KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerProperties())) {
      scaled.start();
      assertThat(scaled.replicas()).isZero();

      // First record: activation brings the deployment from 0 to 1.
      producer.send(new ProducerRecord<>(topic, "k0", "r-0")).get();
      await().atMost(Duration.ofSeconds(30)).until(() -> poll(scaled) == 1);

      // A burst far above lagThreshold x partitions, while the replicas are held back.
      long burstAt = System.nanoTime();
      List<ProducerRecord<String, String>> burst = new ArrayList<>();
      for (int i = 1; i <= 200; i++) {
        burst.add(new ProducerRecord<>(topic, "k" + i, "r-" + i));
      }
      Acks.sendAll(producer, burst);
      await().atMost(Duration.ofSeconds(60)).until(() -> poll(scaled) == 4);
      long scaleUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstAt);
      System.out.printf("[sluice] dev-stack scale-up 1 -> 4 after a burst: %d ms%n", scaleUpMs);

      // Release the replicas: the backlog drains and, idle past the cooldown, it goes to 0.
      gate.set(true);
      await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 201);
      await().atMost(Duration.ofSeconds(60)).until(() -> poll(scaled) == 0);

      // And back from zero on the next record, which is then consumed.
      producer.send(new ProducerRecord<>(topic, "k-last", "r-last")).get();
      await().atMost(Duration.ofSeconds(30)).until(() -> poll(scaled) >= 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("r-last"));

      assertThat(seen).hasSize(202);
      assertThat(scaled.changes())
          .extracting(ScaledDeployment.Change::to)
          .startsWith(1)
          .contains(4, 0);
    }
  }

  private static int poll(ScaledDeployment scaled) {
    scaled.pollOnce(Duration.ofSeconds(5));
    return scaled.replicas();
  }
}
