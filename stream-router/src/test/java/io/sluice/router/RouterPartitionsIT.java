package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.FlushReason;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.common.config.SluiceConfig;
import io.sluice.common.ops.Metrics;
import io.sluice.router.cli.RoutesCommand;
import io.sluice.router.route.RouteFiles;
import io.sluice.schemas.Topics;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 4: a request topic created with a different partition count than the others must not stop
 * routing ("Existing internal topic ...-batch-buffer-changelog has invalid partitions"). The router
 * starts over 3-partition request topics; then a 4-partition and a 1-partition one appear.
 */
@SluiceKafka
class RouterPartitionsIT {
  @TempDir Path stateDir;

  @Test
  @Timeout(150)
  void requestTopicsOfAnyPartitionCountAreRouted(KafkaCluster kafka) throws Exception {
    String url = "mock://router-partitions-it-" + UUID.randomUUID();
    String prefix = kafka.uniqueId("parts").replace('-', '.');
    String deployment = kafka.uniqueId("parts-dep");
    kafka.createTopic(Topics.batches(deployment), 2);
    SluiceConfig config = config(kafka, url, prefix, 3);
    List<String> apps =
        List.of(prefix + ".three-a", prefix + ".three-b", prefix + ".four", prefix + ".one");
    int[] partitions = {3, 3, 4, 1};
    AtomicInteger threadFailures = new AtomicInteger();
    try (RouterApp router =
            RouterApp.start(RouterConfig.from(config), Metrics.newRegistry("router"), false);
        KafkaProducer<String, InferenceRequest> producer = ItSupport.requestProducer(kafka, url);
        KafkaConsumer<String, InferenceBatch> batches =
            ItSupport.batchConsumer(kafka, url, false)) {
      router.onThreadFailure(e -> threadFailures.incrementAndGet());
      for (int i = 0; i < 2; i++) {
        kafka.createTopic(Topics.requests(apps.get(i)), partitions[i]);
        publish(kafka, url, apps.get(i), deployment);
      }
      Awaitility.await("running")
          .atMost(Duration.ofSeconds(60))
          .until(() -> router.state() == KafkaStreams.State.RUNNING);
      for (int i = 2; i < 4; i++) {
        kafka.createTopic(Topics.requests(apps.get(i)), partitions[i]);
        publish(kafka, url, apps.get(i), deployment);
      }
      Set<String> expected = new HashSet<>();
      for (String app : apps) {
        List<InferenceRequest> rs =
            IntStream.range(0, 20).mapToObj(n -> Fixtures.request(app, app + "-" + n)).toList();
        rs.forEach(r -> expected.add(r.getRequestId()));
        ItSupport.send(producer, Topics.requests(app), rs);
      }
      batches.subscribe(List.of(Topics.batches(deployment)));
      Set<String> seen = new HashSet<>();
      Awaitility.await("every request of every topic in a batch")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(1))
          .until(
              () -> {
                for (InferenceBatch b : ItSupport.poll(batches)) {
                  b.getRequests().forEach(r -> seen.add(r.getRequestId()));
                }
                return seen.containsAll(expected);
              });
      assertThat(router.state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(threadFailures).hasValue(0);
    }
  }

  /**
   * A deployment's requests meet in one batching task whatever their keys and partitions: routed
   * requests are keyed by deployment on the repartition topic. Keyed by request (as before), 12
   * keys over 6 batching tasks made several small batches that waited out maxWaitMs.
   */
  @Test
  @Timeout(120)
  void aDeploymentsRequestsShareOneBufferWhateverTheirKeys(KafkaCluster kafka) throws Exception {
    String url = "mock://router-partitions-it-" + UUID.randomUUID();
    String prefix = kafka.uniqueId("shared").replace('-', '.');
    String app = prefix + ".app";
    String deployment = kafka.uniqueId("shared-dep");
    kafka.createTopic(Topics.batches(deployment), 2);
    kafka.createTopic(Topics.requests(app), 4);
    publish(kafka, url, app, deployment, 12, 60_000);
    try (RouterApp router =
            RouterApp.start(
                RouterConfig.from(config(kafka, url, prefix, 6)),
                Metrics.newRegistry("router"),
                false);
        KafkaProducer<String, InferenceRequest> producer = ItSupport.requestProducer(kafka, url);
        KafkaConsumer<String, InferenceBatch> batches =
            ItSupport.batchConsumer(kafka, url, false)) {
      Awaitility.await("running")
          .atMost(Duration.ofSeconds(60))
          .until(() -> router.state() == KafkaStreams.State.RUNNING);
      List<InferenceRequest> rs =
          IntStream.range(0, 12).mapToObj(n -> Fixtures.request(app, "key-" + n)).toList();
      ItSupport.send(producer, Topics.requests(app), rs);
      batches.subscribe(List.of(Topics.batches(deployment)));
      List<InferenceBatch> seen = new ArrayList<>();
      Awaitility.await("a batch")
          .atMost(Duration.ofSeconds(45))
          .until(
              () -> {
                seen.addAll(ItSupport.poll(batches));
                return !seen.isEmpty();
              });
      // maxWaitMs is a minute: only the size limit can have flushed it, with all 12 in it.
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0).getFlushReason()).isEqualTo(FlushReason.SIZE);
      assertThat(seen.get(0).getRequests())
          .extracting(r -> r.getRequestId().toString())
          .containsExactlyInAnyOrderElementsOf(
              rs.stream().map(r -> r.getRequestId().toString()).toList());
    }
  }

  private SluiceConfig config(KafkaCluster kafka, String url, String prefix, int partitions) {
    return ItSupport.routerConfig(
        kafka,
        url,
        "router-parts-it",
        stateDir,
        RouterConfig.PARTITIONS,
        Integer.toString(partitions),
        // only this test's topics: other tests' request topics are not ours to route
        RouterConfig.REQUEST_TOPIC_PATTERN,
        "sluice\\.requests\\." + prefix.replace(".", "\\.") + "\\..*",
        RouterConfig.STREAMS_PREFIX + "consumer.metadata.max.age.ms",
        "500");
  }

  private static void publish(KafkaCluster kafka, String url, String app, String deployment)
      throws Exception {
    publish(kafka, url, app, deployment, 10, 20);
  }

  private static void publish(
      KafkaCluster kafka, String url, String app, String deployment, int maxBatch, int maxWaitMs)
      throws Exception {
    RoutesCommand.publish(
        ItSupport.connection(kafka, url),
        RouteFiles.parse(
            "app: "
                + app
                + "\nvariants: [{deployment: "
                + deployment
                + "}]\nbatching: {"
                + deployment
                + ": {maxBatchSize: "
                + maxBatch
                + ", maxWaitMs: "
                + maxWaitMs
                + "}}\n",
            0));
  }
}
