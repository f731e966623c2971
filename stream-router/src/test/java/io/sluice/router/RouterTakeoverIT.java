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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 9 (router side): two routers in their own JVMs share the work; one is SIGKILLed. With the
 * shared 6 s session timeout the survivor must route the killed one's partitions within ~20 s
 * (Kafka's 45 s default made it 45-105 s).
 */
@SluiceKafka
class RouterTakeoverIT {
  @TempDir Path stateDir;

  @Test
  @Timeout(180)
  void theSurvivorRoutesAKilledRoutersPartitionsWithinSeconds(KafkaCluster kafka) throws Exception {
    try (EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.builder(new InMemorySchemaStore(), 0).build().start()) {
      String url = registry.url();
      String app = kafka.uniqueId("takeover");
      String deployment = kafka.uniqueId("takeover-dep");
      kafka.createTopic(Topics.requests(app), 4);
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
                  + ": {maxBatchSize: 10, maxWaitMs: 50}}\n",
              0));
      String appId = kafka.uniqueId("router-takeover");
      Process a = launch(kafka, url, appId, "a");
      Process b = launch(kafka, url, appId, "b");
      try (KafkaProducer<String, InferenceRequest> producer =
              ItSupport.requestProducer(kafka, url);
          KafkaConsumer<String, InferenceBatch> consumer =
              ItSupport.batchConsumer(kafka, url, false)) {
        consumer.subscribe(List.of(Topics.batches(deployment)));
        Set<String> seen = new HashSet<>();
        // Both routers own tasks: the group has two members and traffic flows.
        Awaitility.await("two routers in the group")
            .atMost(Duration.ofSeconds(90))
            .ignoreExceptions()
            .until(
                () ->
                    kafka
                            .admin()
                            .describeConsumerGroups(List.of(appId))
                            .all()
                            .get()
                            .get(appId)
                            .members()
                            .size()
                        == 2);
        List<InferenceRequest> warm = requests(app, "warm", 100);
        ItSupport.send(producer, Topics.requests(app), warm);
        awaitAll(consumer, seen, warm, Duration.ofSeconds(60));

        a.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long killedAt = System.nanoTime();
        List<InferenceRequest> after = requests(app, "after", 200);
        ItSupport.send(producer, Topics.requests(app), after);
        awaitAll(consumer, seen, after, Duration.ofSeconds(60));
        long takeoverMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.printf(
            "router SIGKILLed: every request on every partition routed %d ms later%n", takeoverMs);
        assertThat(takeoverMs).isLessThan(20_000);
      } finally {
        a.destroyForcibly();
        b.destroy();
        b.waitFor(60, TimeUnit.SECONDS);
      }
    }
  }

  private static List<InferenceRequest> requests(String app, String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> Fixtures.request(app, prefix + "-" + i)).toList();
  }

  private static void awaitAll(
      KafkaConsumer<String, InferenceBatch> consumer,
      Set<String> seen,
      List<InferenceRequest> rs,
      Duration atMost) {
    Awaitility.await("requests in batches")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(1))
        .until(
            () -> {
              for (InferenceBatch batch : ItSupport.poll(consumer)) {
                batch.getRequests().forEach(r -> seen.add(r.getRequestId()));
              }
              return rs.stream().allMatch(r -> seen.contains(r.getRequestId()));
            });
  }

  private Process launch(KafkaCluster kafka, String url, String appId, String name)
      throws Exception {
    Path dir = Files.createDirectories(stateDir.resolve(name));
    return ItSupport.launchRouter(
        "192m",
        List.of(
            "-D", RouterConfig.BOOTSTRAP_SERVERS + "=" + kafka.bootstrapServers(),
            "-D", RouterConfig.SCHEMA_REGISTRY_URL + "=" + url,
            "-D", RouterConfig.APPLICATION_ID + "=" + appId,
            "-D", RouterConfig.STATE_DIR + "=" + dir,
            "-D", RouterConfig.MANAGEMENT_PORT + "=0",
            "-D", RouterConfig.COMMIT_INTERVAL_MS + "=100",
            "-D", RouterConfig.REQUEST_TOPIC_PATTERN + "=sluice\\.requests\\.takeover-.*"),
        "router-takeover-it-" + name);
  }
}
