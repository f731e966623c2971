package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.StepReport;
import io.sluice.avro.Variant;
import io.sluice.common.ops.Metrics;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.registry.store.InMemorySchemaStore;
import io.sluice.router.cli.RoutesCommand;
import io.sluice.schemas.Topics;
import io.sluice.schemas.pipeline.PipelineDocument;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines on a real broker: {@code a -> (b || c) -> output}, with fake workers for the three
 * deployments, and on purpose no co-partitioning anywhere (request topic 2 partitions, {@code
 * sluice.pipeline.replies} 3 (or whatever an earlier test created), deployment topics 1, 4 and 1).
 *
 * <p>The crash test kills the router with SIGKILL ({@code destroyForcibly()} on a router in its own
 * JVM: no close, no commit, no checkpoint) while hundreds of runs are in flight, restarts it on the
 * same state directory with the same static member id, and checks that every request gets exactly
 * one correct final answer. It runs under {@code exactly_once_v2} only: that is the guarantee under
 * which "exactly one answer" is a claim at all (at_least_once replays from the last commit and may
 * answer a run twice by design, which RouterCrashIT already covers for the batch path), and one run
 * keeps CI time low. Step requests may be sent more than once; answers may not.
 *
 * <p>The concurrency test runs the router in-process and gives {@code b} and {@code c} 200 ms of
 * work each, each deployment on its own worker thread, and checks from the answer's step reports
 * that the two steps ran at the same time.
 */
@SluiceKafka
class PipelineCrashIT {
  private static final int RUNS = 1000;
  private static final int REPLY_PARTITIONS = 3;

  @TempDir Path stateDir;

  @Test
  @Timeout(120)
  void everyRunAnswersExactlyOnceAfterAKill(KafkaCluster kafka) throws Exception {
    try (EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.builder(new InMemorySchemaStore(), 0).build().start()) {
      String url = registry.url();
      Names n = new Names(kafka, "pcrash");
      n.createTopics(kafka);
      RoutesCommand.publish(ItSupport.connection(kafka, url), n.route(10, 20));
      String appId = kafka.uniqueId("router-pcrash");
      List<String> args =
          List.of(
              "-D", RouterConfig.BOOTSTRAP_SERVERS + "=" + kafka.bootstrapServers(),
              "-D", RouterConfig.SCHEMA_REGISTRY_URL + "=" + url,
              "-D", RouterConfig.APPLICATION_ID + "=" + appId,
              "-D", RouterConfig.STATE_DIR + "=" + stateDir,
              "-D", RouterConfig.PROCESSING_GUARANTEE + "=exactly_once_v2",
              "-D", RouterConfig.MANAGEMENT_PORT + "=0",
              "-D", RouterConfig.COMMIT_INTERVAL_MS + "=100",
              "-D", RouterConfig.REQUEST_TOPIC_PATTERN + "=" + Pattern.quote(n.requests),
              // Static membership: the restarted router takes over its partitions at once.
              "-D", RouterConfig.STREAMS_PREFIX + "group.instance.id=" + appId,
              "-D", RouterConfig.STREAMS_PREFIX + "session.timeout.ms=10000",
              // A produce racing the previous transaction's commit markers is refused with
              // CONCURRENT_TRANSACTIONS and retried after retry.backoff.ms (100 ms by default): on
              // a busy 2-core box that backoff, not the router, set the pace of this test.
              "-D", RouterConfig.STREAMS_PREFIX + "producer.retry.backoff.ms=10");
      long t0 = System.nanoTime();
      try (Workers workers = new Workers(kafka, url, n, 0);
          KafkaProducer<String, InferenceRequest> producer = ItSupport.requestProducer(kafka, url);
          KafkaConsumer<String, InferenceResponse> answers = answerConsumer(kafka, url)) {
        List<InferenceRequest> requests =
            IntStream.range(0, RUNS).mapToObj(i -> n.request("run-" + i, text(i))).toList();
        ItSupport.send(producer, n.requests, requests);
        Process router = ItSupport.launchRouter("256m", args, "pipeline-crash-it-1");
        // Kill once some runs have answered (read_uncommitted end offsets: EOS output in flight
        // counts), with most still in flight.
        long[] atKill = new long[1];
        Awaitility.await("first answers")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> (atKill[0] = endOffsets(kafka, n.responses, 2)) >= 100);
        router.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long stepsAtKill = workers.requests();
        Process restarted = ItSupport.launchRouter("256m", args, "pipeline-crash-it-2");
        answers.subscribe(List.of(n.responses));
        Map<String, List<InferenceResponse>> got = new HashMap<>();
        try {
          Awaitility.await("an answer for every run")
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(1))
              .until(
                  () -> {
                    drain(answers, got);
                    return got.size() == RUNS;
                  });
        } finally {
          restarted.destroy(); // SIGTERM: graceful this time
          restarted.waitFor(60, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 5; i++) {
          drain(answers, got); // whatever else was committed (a duplicate would be there)
        }
        long duplicates = got.values().stream().filter(l -> l.size() > 1).count();
        System.out.printf(
            "pipeline crash (exactly_once_v2): %d runs, %d answered at the kill (uncommitted"
                + " included), %d answered, %d answered more than once; step requests served %d"
                + " (%d by the kill; at least %d needed), %.1f s%n",
            RUNS,
            atKill[0],
            got.size(),
            duplicates,
            workers.requests(),
            stepsAtKill,
            3 * RUNS,
            (System.nanoTime() - t0) / 1e9);
        assertThat(got).hasSize(RUNS);
        assertThat(duplicates).isZero();
        for (int i = 0; i < RUNS; i++) {
          InferenceResponse a = got.get("run-" + i).get(0);
          assertThat(a.getStatus()).as("run-%d: %s", i, a.getError()).isEqualTo(ResponseStatus.OK);
          JsonNode out = PipelineDocument.outputOf(a);
          String stepA = text(i) + "/a";
          assertThat(out.get("len").asInt()).as("run-%d", i).isEqualTo(stepA.length());
          assertThat(out.get("upper").asText())
              .as("run-%d", i)
              .isEqualTo(stepA.toUpperCase(Locale.ROOT));
          assertThat(a.getSteps()).extracting(StepReport::getOutcome).containsOnly("ok");
        }
        assertThat(workers.requests()).isGreaterThanOrEqualTo(3L * RUNS);
        assertThat(workers.failedReplies()).isZero();
      } finally {
        forgetPipelineRecords(kafka);
      }
    }
  }

  @Test
  @Timeout(60)
  void parallelStepsRunAtTheSameTime(KafkaCluster kafka) throws Exception {
    String url = "mock://pipeline-concurrency-it-" + UUID.randomUUID();
    Names n = new Names(kafka, "pconc");
    n.createTopics(kafka);
    RoutesCommand.publish(ItSupport.connection(kafka, url), n.route(1, 0));
    var config =
        ItSupport.routerConfig(
            kafka,
            url,
            "router-pconc",
            stateDir,
            RouterConfig.REQUEST_TOPIC_PATTERN,
            Pattern.quote(n.requests));
    try (Workers workers = new Workers(kafka, url, n, 200);
        RouterApp router =
            RouterApp.start(RouterConfig.from(config), Metrics.newRegistry("router"), false);
        KafkaProducer<String, InferenceRequest> producer = ItSupport.requestProducer(kafka, url);
        KafkaConsumer<String, InferenceResponse> answers = answerConsumer(kafka, url)) {
      answers.subscribe(List.of(n.responses));
      for (int i = 0; i < 3; i++) {
        String id = "conc-" + i;
        ItSupport.send(producer, n.requests, List.of(n.request(id, text(i))));
        Map<String, List<InferenceResponse>> got = new HashMap<>();
        Awaitility.await("the answer to " + id)
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(1))
            .until(
                () -> {
                  drain(answers, got);
                  return got.containsKey(id);
                });
        InferenceResponse a = got.get(id).get(0);
        assertThat(a.getStatus()).as("%s: %s", id, a.getError()).isEqualTo(ResponseStatus.OK);
        Map<String, StepReport> steps = new HashMap<>();
        a.getSteps().forEach(s -> steps.put(s.getName(), s));
        StepReport b = steps.get("b");
        StepReport c = steps.get("c");
        long overlapFrom = Math.max(b.getStartedAtMs(), c.getStartedAtMs());
        long overlapTo = Math.min(b.getFinishedAtMs(), c.getFinishedAtMs());
        // From the first of b, c starting work to the last finishing: >= 400 ms if serial.
        long span =
            Math.max(b.getFinishedAtMs(), c.getFinishedAtMs())
                - Math.min(b.getStartedAtMs(), c.getStartedAtMs());
        long endToEnd = a.getTimings().getFinishedAtMs() - a.getTimings().getCreatedAtMs();
        System.out.printf(
            "%s: b and c overlap %d ms, worker span of b||c %d ms (serial >= 400), sent apart %d"
                + " ms, end to end %d ms (a: sent->answered %d ms)%n",
            id,
            overlapTo - overlapFrom,
            span,
            Math.abs(b.getSentAtMs() - c.getSentAtMs()),
            endToEnd,
            steps.get("a").getAnsweredAtMs() - steps.get("a").getSentAtMs());
        assertThat(overlapTo).as("%s: b and c overlap", id).isGreaterThan(overlapFrom);
        assertThat(span).as("%s: b||c worker span", id).isLessThan(390);
      }
      assertThat(router.state()).isEqualTo(org.apache.kafka.streams.KafkaStreams.State.RUNNING);
      assertThat(workers.failedReplies()).isZero();
    } finally {
      forgetPipelineRecords(kafka);
    }
  }

  /** The app, its deployments and their topics. */
  private static final class Names {
    final String app;
    final String a;
    final String b;
    final String c;
    final String requests;
    final String responses;

    Names(KafkaCluster kafka, String prefix) {
      app = kafka.uniqueId(prefix);
      a = kafka.uniqueId(prefix + "-a");
      b = kafka.uniqueId(prefix + "-b");
      c = kafka.uniqueId(prefix + "-c");
      requests = Topics.requests(app);
      responses = Topics.responses(app);
    }

    /** No two of these partition counts agree. */
    void createTopics(KafkaCluster kafka) {
      kafka.createTopic(Topics.PIPELINE_REPLIES, REPLY_PARTITIONS);
      kafka.createTopic(requests, 2);
      kafka.createTopic(responses, 2);
      kafka.createTopic(Topics.batches(a), 1);
      kafka.createTopic(Topics.batches(b), 4);
      kafka.createTopic(Topics.batches(c), 1);
    }

    RouteConfig route(int maxBatchSize, long maxWaitMs) {
      RouteConfig route =
          Fixtures.route(
              app,
              List.of(
                  Variant.newBuilder().setName("v1").setDeployment("").setPipeline("p").build()),
              List.of(),
              Map.of(
                  a, Fixtures.batching(maxBatchSize, maxWaitMs, null),
                  b, Fixtures.batching(maxBatchSize, maxWaitMs, null),
                  c, Fixtures.batching(maxBatchSize, maxWaitMs, null)));
      route.setPipelines(
          Map.of(
              "p",
              """
              {"timeoutSeconds": 90,
               "steps": {
                 "a": {"deployment": "%s"},
                 "b": {"deployment": "%s", "input": {"text": "$/steps/a/text"}},
                 "c": {"deployment": "%s", "input": {"text": "$/steps/a/text"}}},
               "output": {"len": "$/steps/b/len", "upper": "$/steps/c/upper"}}
              """
                  .formatted(a, b, c)));
      return route;
    }

    InferenceRequest request(String id, String text) {
      return InferenceRequest.newBuilder()
          .setRequestId(id)
          .setApp(app)
          .setInput(
              JsonInput.newBuilder()
                  .setJson(
                      PipelineDocument.write(
                          JsonNodeFactory.instance.objectNode().put("text", text)))
                  .build())
          .setCreatedAtMs(Instant.now())
          .build();
    }
  }

  /** a appends "/a"; b answers its length, c its upper case. */
  private static final class Workers implements AutoCloseable {
    final List<FakeStepWorker> all = new ArrayList<>();

    Workers(KafkaCluster kafka, String url, Names n, long parallelWorkMs) {
      JsonNodeFactory f = JsonNodeFactory.instance;
      all.add(
          new FakeStepWorker(
              kafka,
              url,
              n.a,
              0,
              in -> f.objectNode().put("text", in.path("text").asText() + "/a")));
      all.add(
          new FakeStepWorker(
              kafka,
              url,
              n.b,
              parallelWorkMs,
              in -> f.objectNode().put("len", in.path("text").asText().length())));
      all.add(
          new FakeStepWorker(
              kafka,
              url,
              n.c,
              parallelWorkMs,
              in ->
                  f.objectNode().put("upper", in.path("text").asText().toUpperCase(Locale.ROOT))));
    }

    long requests() {
      return all.stream().mapToLong(FakeStepWorker::requests).sum();
    }

    long failedReplies() {
      return all.stream().mapToLong(FakeStepWorker::failedReplies).sum();
    }

    @Override
    public void close() {
      all.forEach(FakeStepWorker::close);
    }
  }

  private static String text(int i) {
    return "item " + i + " of the pipeline";
  }

  private static KafkaConsumer<String, InferenceResponse> answerConsumer(
      KafkaCluster kafka, String url) {
    java.util.Properties p = kafka.consumerProperties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(
        p,
        new StringDeserializer(),
        AvroSerde.of(InferenceResponse.class, SerdeConfig.of(url), false).deserializer());
  }

  private static void drain(
      KafkaConsumer<String, InferenceResponse> c, Map<String, List<InferenceResponse>> got) {
    for (ConsumerRecord<String, InferenceResponse> r : c.poll(Duration.ofMillis(100))) {
      got.computeIfAbsent(r.value().getRequestId(), k -> new ArrayList<>()).add(r.value());
    }
  }

  private static long endOffsets(KafkaCluster kafka, String topic, int partitions)
      throws Exception {
    Map<TopicPartition, OffsetSpec> q = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      q.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    return kafka.admin().listOffsets(q).all().get().values().stream()
        .mapToLong(i -> i.offset())
        .sum();
  }

  /**
   * Deletes this test's starts and step replies from the shared {@code sluice.pipeline.replies}:
   * every router started later in this JVM reads that topic from its start, whatever its
   * application id, and would run these pipelines again.
   */
  private static void forgetPipelineRecords(KafkaCluster kafka) throws Exception {
    int partitions =
        kafka
            .admin()
            .describeTopics(List.of(Topics.PIPELINE_REPLIES))
            .allTopicNames()
            .get()
            .get(Topics.PIPELINE_REPLIES)
            .partitions()
            .size();
    Map<TopicPartition, OffsetSpec> q = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      q.put(new TopicPartition(Topics.PIPELINE_REPLIES, p), OffsetSpec.latest());
    }
    Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
    kafka
        .admin()
        .listOffsets(q)
        .all()
        .get()
        .forEach((tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
    kafka.admin().deleteRecords(delete).all().get();
  }
}
