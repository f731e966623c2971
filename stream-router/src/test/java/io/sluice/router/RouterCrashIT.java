package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.registry.store.InMemorySchemaStore;
import io.sluice.router.cli.RoutesCommand;
import io.sluice.schemas.Topics;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills the router with SIGKILL ({@code Process.destroyForcibly()} on a router running in its own
 * JVM: no shutdown hook, no commit, no flush, no state checkpoint) while it is batching, restarts
 * it on the same state directory, and checks that every request reached a batch: at least once
 * under at_least_once, exactly once under exactly_once_v2.
 */
@SluiceKafka
class RouterCrashIT {
  private static final int FIRST = 2000;
  private static final int SECOND = 1000;

  @TempDir Path stateDir;

  @ParameterizedTest
  @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
  @Timeout(150)
  void everyRequestReachesABatchAfterAKill(String guarantee, KafkaCluster kafka) throws Exception {
    try (EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.builder(new InMemorySchemaStore(), 0).build().start()) {
      String url = registry.url();
      String app = kafka.uniqueId("crash");
      String deployment = kafka.uniqueId("crash-dep");
      kafka.createTopic(Topics.requests(app), 2);
      kafka.createTopic(Topics.batches(deployment), 2);
      RoutesCommand.publish(
          ItSupport.connection(kafka, url),
          io.sluice.router.route.RouteFiles.parse(
              "app: "
                  + app
                  + "\nvariants: [{deployment: "
                  + deployment
                  + "}]\nbatching: {"
                  + deployment
                  + ": {maxBatchSize: 10, maxWaitMs: 200}}\n",
              0));
      String appId = kafka.uniqueId("router-crash");
      List<String> args =
          List.of(
              "-D", RouterConfig.BOOTSTRAP_SERVERS + "=" + kafka.bootstrapServers(),
              "-D", RouterConfig.SCHEMA_REGISTRY_URL + "=" + url,
              "-D", RouterConfig.APPLICATION_ID + "=" + appId,
              "-D", RouterConfig.STATE_DIR + "=" + stateDir,
              "-D", RouterConfig.PROCESSING_GUARANTEE + "=" + guarantee,
              "-D", RouterConfig.MANAGEMENT_PORT + "=0",
              "-D", RouterConfig.COMMIT_INTERVAL_MS + "=100",
              // Static membership: the restarted router takes over its partitions at once instead
              // of waiting for the killed member's session to time out.
              "-D", RouterConfig.STREAMS_PREFIX + "group.instance.id=" + appId,
              "-D", RouterConfig.STREAMS_PREFIX + "session.timeout.ms=10000");

      List<InferenceRequest> first = requests(app, 0, FIRST);
      List<InferenceRequest> second = requests(app, FIRST, FIRST + SECOND);
      try (KafkaProducer<String, InferenceRequest> producer =
              ItSupport.requestProducer(kafka, url);
          KafkaConsumer<String, InferenceBatch> consumer =
              ItSupport.batchConsumer(kafka, url, guarantee.startsWith("exactly"))) {
        ItSupport.send(producer, Topics.requests(app), first);
        Process router = ItSupport.launchRouter("256m", args, "router-crash-it-1");
        TopicPartition p0 = new TopicPartition(Topics.batches(deployment), 0);
        TopicPartition p1 = new TopicPartition(Topics.batches(deployment), 1);
        // Kill as soon as batches flow (read_uncommitted end offsets: EOS output in flight counts).
        Awaitility.await("first batches")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(20))
            .until(
                () ->
                    kafka
                            .admin()
                            .listOffsets(
                                Map.of(
                                    p0, org.apache.kafka.clients.admin.OffsetSpec.latest(),
                                    p1, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                            .all()
                            .get()
                            .values()
                            .stream()
                            .mapToLong(i -> i.offset())
                            .sum()
                        >= 3);
        router.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        ItSupport.send(producer, Topics.requests(app), second);
        Process restarted = ItSupport.launchRouter("256m", args, "router-crash-it-2");
        consumer.subscribe(List.of(Topics.batches(deployment)));
        Map<String, Integer> seen = new HashMap<>();
        List<InferenceBatch> batches = new ArrayList<>();
        try {
          Awaitility.await("all requests in batches")
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(1))
              .until(
                  () -> {
                    for (InferenceBatch b : ItSupport.poll(consumer)) {
                      batches.add(b);
                      b.getRequests().forEach(r -> seen.merge(r.getRequestId(), 1, Integer::sum));
                    }
                    return seen.size() == FIRST + SECOND;
                  });
        } finally {
          restarted.destroy(); // SIGTERM: graceful this time
          restarted.waitFor(60, TimeUnit.SECONDS);
        }
        // Read whatever else was committed before the graceful stop (duplicates would be there).
        for (int i = 0; i < 5; i++) {
          for (InferenceBatch b : ItSupport.poll(consumer)) {
            batches.add(b);
            b.getRequests().forEach(r -> seen.merge(r.getRequestId(), 1, Integer::sum));
          }
        }
        long duplicates = seen.values().stream().filter(n -> n > 1).count();
        System.out.printf(
            "%s: %d requests, %d batches, %d requests seen more than once%n",
            guarantee, seen.size(), batches.size(), duplicates);
        assertThat(seen).hasSize(FIRST + SECOND);
        assertThat(batches).allMatch(b -> b.getRequests().size() <= 10);
        if (guarantee.startsWith("exactly")) {
          assertThat(duplicates).isZero();
        }
      }
    }
  }

  private static List<InferenceRequest> requests(String app, int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> Fixtures.request(app, "req-" + i)).toList();
  }
}
