package io.sluice.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two bridge replicas sharing one reply topic: every caller gets its own reply, none is lost. */
@SluiceKafka
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TwoReplicasIT {

  @Test
  void thousandConcurrentRequestsEachGetTheirOwnReply(KafkaCluster kafka) throws Exception {
    String registry = "mock://two-replicas-" + UUID.randomUUID();
    String app = kafka.uniqueId("echo");
    TestBridges.publishRoutes(kafka, registry, List.of(app));
    BridgeConfig shared = TestBridges.config(kafka, registry, kafka.uniqueId("pair"));
    try (EchoWorker worker = new EchoWorker(kafka, registry, List.of(app), Set.of());
        BridgeServer a = TestBridges.startReady(shared, List.of(app));
        BridgeServer b = TestBridges.startReady(shared, List.of(app))) {
      org.awaitility.Awaitility.await("both replicas own reply partitions")
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> a.ready() && b.ready());
      HttpClient http = TestBridges.client();
      List<String> nonces = new ArrayList<>();
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        String nonce = i + "-" + UUID.randomUUID();
        nonces.add(nonce);
        BridgeServer target = i % 2 == 0 ? a : b;
        calls.add(
            http.sendAsync(
                TestBridges.post(
                        target,
                        "/v1/apps/" + app + "/infer",
                        "{\"input\": {\"nonce\": \"" + nonce + "\"}}")
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < calls.size(); i++) {
        HttpResponse<String> r = calls.get(i).get(120, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as("call %d: %s", i, r.body()).isEqualTo(200);
        JsonNode body = TestBridges.json(r);
        assertThat(body.at("/output/nonce").asText()).isEqualTo(nonces.get(i));
        ids.add(body.get("requestId").asText());
      }
      assertThat(ids).hasSize(1000);
      assertThat(worker.served).hasSize(1000);
      Set<Integer> partitionsUsed = new HashSet<>();
      worker.received.values().forEach(req -> partitionsUsed.add(req.getReplyPartition()));
      assertThat(partitionsUsed).hasSizeGreaterThan(1);
      // Each replica fetches only the partition its requests name; the others it owns are paused.
      assertThat(partitionsRead(a)).isEqualTo(1);
      assertThat(partitionsRead(b)).isEqualTo(1);
    }
  }

  @Test
  void anIdempotentCallThatFailedToProduceRunsWhenRetriedOnTheOtherReplica(KafkaCluster kafka)
      throws Exception {
    String registry = "mock://two-replicas-idem-" + UUID.randomUUID();
    String app = kafka.uniqueId("echo");
    TestBridges.publishRoutes(kafka, registry, List.of(app));
    BridgeConfig shared = TestBridges.config(kafka, registry, kafka.uniqueId("idem"));
    try (EchoWorker worker = new EchoWorker(kafka, registry, List.of(app), Set.of());
        BridgeServer a = TestBridges.startReady(shared, List.of(app));
        BridgeServer b = TestBridges.startReady(shared, List.of(app))) {
      HttpClient http = TestBridges.client();
      String path = "/v1/apps/" + app + "/infer";
      String key = "order-" + UUID.randomUUID();
      // Passes the HTTP limit, fails at the producer: its pending marker used to stay behind.
      HttpResponse<String> failed =
          TestBridges.send(
              http,
              TestBridges.post(a, path, TestBridges.growingBody(shared))
                  .header("Idempotency-Key", key));
      assertThat(failed.statusCode()).as(failed.body()).isEqualTo(413);

      org.awaitility.Awaitility.await("the retry on the other replica is produced and answered")
          .atMost(java.time.Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                HttpResponse<String> retry =
                    TestBridges.send(
                        http,
                        TestBridges.post(b, path, "{\"input\": {\"small\": true}}")
                            .header("Idempotency-Key", key)
                            .header("Sluice-Timeout-Ms", "5000"));
                assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
                assertThat(TestBridges.json(retry).at("/output/small").asBoolean()).isTrue();
              });
      assertThat(worker.served).hasSize(1);
    }
  }

  @Test
  void aKilledReplicasReplyPartitionsMoveToTheSurvivorWithinSeconds(KafkaCluster kafka)
      throws Exception {
    String registry = "mock://two-replicas-kill-" + UUID.randomUUID();
    String app = kafka.uniqueId("echo");
    TestBridges.publishRoutes(kafka, registry, List.of(app));
    java.util.Map<String, String> s = TestBridges.settings(kafka, registry, kafka.uniqueId("kill"));
    String group = s.get(BridgeConfig.REPLY_GROUP);
    // Static members do not leave the group when they stop: closing one is like a SIGKILL.
    s.put(BridgeConfig.INSTANCE_ID, "a");
    BridgeConfig configA = BridgeConfig.of(s);
    s.put(BridgeConfig.INSTANCE_ID, "b");
    BridgeConfig configB = BridgeConfig.of(s);
    try (EchoWorker worker = new EchoWorker(kafka, registry, List.of(app), Set.of());
        BridgeServer b = TestBridges.startReady(configB, List.of(app))) {
      BridgeServer a = TestBridges.startReady(configA, List.of(app));
      org.awaitility.Awaitility.await("both replicas own reply partitions")
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> a.ready() && b.ready() && membersOf(kafka, group) == 2);
      // When A joined, B gave up two of its four partitions (the cooperative-sticky assignor picks
      // which); if its named one went, B now names, resumes and reads another. Calls through it
      // are answered either way, and it still reads one partition.
      HttpClient http = TestBridges.client();
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> r =
            TestBridges.send(
                http, TestBridges.post(b, "/v1/apps/" + app + "/infer", "{\"input\": " + i + "}"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      assertThat(partitionsRead(b)).isEqualTo(1);
      worker.received.clear();
      a.close();
      long killedAt = System.nanoTime();
      org.awaitility.Awaitility.await("the survivor owns every reply partition")
          .atMost(java.time.Duration.ofSeconds(20))
          .pollInterval(java.time.Duration.ofMillis(200))
          .until(() -> membersOf(kafka, group) == 1 && partitionsOfOnlyMember(kafka, group) == 4);
      long movedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      // The shared 6 s session timeout, not Kafka's 45 s default, decides this.
      assertThat(movedMs).isLessThan(15_000);
      for (int i = 0; i < 8; i++) {
        HttpResponse<String> r =
            TestBridges.send(
                http, TestBridges.post(b, "/v1/apps/" + app + "/infer", "{\"input\": " + i + "}"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      // The survivor names one partition, one it owns, in every request (its choice is kept while
      // it owns it: ReplyListener.pickPartition), and each call above was answered through it.
      Set<Integer> used = new HashSet<>();
      worker.received.values().forEach(req -> used.add(req.getReplyPartition()));
      assertThat(used).hasSize(1);
      assertThat(used.iterator().next()).isBetween(0, 3);
      assertThat(partitionsRead(b)).isEqualTo(1);
    }
  }

  private static double partitionsRead(BridgeServer bridge) {
    return bridge.metrics().get("sluice.bridge.replies.partitions.read").gauge().value();
  }

  private static int membersOf(KafkaCluster kafka, String group) throws Exception {
    return describe(kafka, group).members().size();
  }

  private static int partitionsOfOnlyMember(KafkaCluster kafka, String group) throws Exception {
    return describe(kafka, group).members().iterator().next().assignment().topicPartitions().size();
  }

  private static org.apache.kafka.clients.admin.ConsumerGroupDescription describe(
      KafkaCluster kafka, String group) throws Exception {
    return kafka
        .admin()
        .describeConsumerGroups(List.of(group))
        .all()
        .get(10, TimeUnit.SECONDS)
        .get(group);
  }
}
