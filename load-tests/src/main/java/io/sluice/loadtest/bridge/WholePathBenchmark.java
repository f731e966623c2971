package io.sluice.loadtest.bridge;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.BatchingSettings;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Variant;
import io.sluice.bridge.BridgeConfig;
import io.sluice.bridge.BridgeServer;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.ops.Metrics;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.worker.WorkerApp;
import io.sluice.functions.worker.WorkerConfig;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.loadtest.bench.BenchResults;
import io.sluice.loadtest.bench.JitWarmup;
import io.sluice.router.RouterApp;
import io.sluice.router.RouterConfig;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole path, HTTP → bridge → {@code sluice.requests.<app>} → router (micro-batching) → {@code
 * sluice.batches.<deployment>} → Sluice's own worker runtime ({@link WorkerApp}) with a no-op
 * function → reply topic → bridge → HTTP, next to the bridge alone (the same bridge in front of
 * {@link EchoPath}'s Kafka-only echo, as {@link BridgeOverheadBenchmark} measures it), in one JVM
 * on one in-JVM KRaft broker, one bridge serving both apps.
 *
 * <p>Each round: {@code --requests} calls of each kind with one in flight, alternating call by call
 * (whole path p50 against {@code maxWaitMs + 4 ms}), then {@code --concurrency} closed-loop callers
 * for {@code --seconds} on the bridge alone and then on the whole path (their ratio against 0.5).
 * The router only reads the whole path's request topic ({@code
 * sluice.router.request-topic-pattern}), so the bridge-alone rounds cost it nothing.
 */
@Command(
    name = "whole-path",
    mixinStandardHelpOptions = true,
    description = "HTTP -> bridge -> router -> no-op worker -> reply, vs the bridge alone.")
public final class WholePathBenchmark implements Callable<Integer> {
  private static final String PATH_APP = "bench-path";
  private static final String ECHO_APP = "bench-echo";
  private static final String DEPLOYMENT = "bench-noop";
  private static final String REGISTRY = "mock://whole-path-bench";
  private static final String BODY = "{\"text\":\"the quick brown fox jumps over the lazy dog\"}";

  @Option(names = "--warmup", defaultValue = "500", description = "Warm-up calls of each kind.")
  int warmup;

  @Option(
      names = "--requests",
      defaultValue = "1000",
      description = "Measured one-in-flight calls of each kind per round.")
  int requests;

  @Option(
      names = "--concurrency",
      defaultValue = "32",
      description = "Callers in the throughput phase.")
  int concurrency;

  @Option(names = "--seconds", defaultValue = "6", description = "Length of each throughput phase.")
  int seconds;

  @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds.")
  int rounds;

  @Option(names = "--warmup-cap", defaultValue = "120", description = JitWarmup.CAP_HELP)
  int warmupCapSeconds;

  @Option(
      names = "--router-config",
      description =
          "A router setting to try (key=value, repeatable), e.g."
              + " sluice.router.streams.producer.linger.ms=1; the router's own defaults otherwise.")
  Map<String, String> routerOverrides = new java.util.LinkedHashMap<>();

  @Option(
      names = "--worker-config",
      description =
          "A worker setting to try (key=value, repeatable), e.g."
              + " sluice.kafka.producer.linger.ms=0; the worker's own defaults otherwise.")
  Map<String, String> workerOverrides = new java.util.LinkedHashMap<>();

  @Option(
      names = "--max-wait-ms",
      defaultValue = "5",
      description = "The deployment's maxWaitMs (the demo's sentiment app uses 5).")
  int maxWaitMs;

  @Option(
      names = "--max-batch-size",
      defaultValue = "32",
      description = "The deployment's maxBatchSize.")
  int maxBatchSize;

  public static void main(String[] args) {
    System.exit(new CommandLine(new WholePathBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    BenchResults results =
        new BenchResults(
            "whole-path",
            String.format(
                Locale.ROOT,
                "HTTP -> bridge -> router -> no-op worker (WorkerApp) -> reply vs bridge -> Kafka"
                    + " echo; maxBatchSize %d, maxWaitMs %d; %d calls per round, 1 in flight, %d"
                    + " warm-up; %d callers for %d s; %d rounds",
                maxBatchSize,
                maxWaitMs,
                requests,
                warmup,
                concurrency,
                seconds,
                rounds));
    results
        .goal(
            "path-p50",
            "Whole path p50, one caller (maxWaitMs " + maxWaitMs + ")",
            "bridge alone (bridge -> Kafka echo), one caller",
            "ms",
            "<=",
            maxWaitMs + 4,
            "maxWaitMs " + maxWaitMs + " + 4 ms",
            "ms")
        .goal(
            "path-p99",
            "Whole path p99, one caller (context, no goal)",
            "bridge alone (bridge -> Kafka echo), one caller",
            "ms",
            "<=",
            0,
            "none",
            "ms")
        .goal(
            "path-throughput",
            "Whole path throughput, " + concurrency + " callers",
            "bridge alone (bridge -> Kafka echo), " + concurrency + " callers",
            "ratio",
            ">=",
            0.5,
            "0.5",
            "req/s");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(
          new NewTopic(Topics.ROUTES, 1, (short) 1)
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
          new NewTopic(Topics.PIPELINE_REPLIES, 1, (short) 1),
          new NewTopic(Topics.DLQ_ROUTER, 1, (short) 1),
          new NewTopic(Topics.requests(PATH_APP), 4, (short) 1),
          new NewTopic(Topics.requests(ECHO_APP), 4, (short) 1),
          new NewTopic(Topics.batches(DEPLOYMENT), 4, (short) 1),
          new NewTopic(Topics.dlq(DEPLOYMENT), 1, (short) 1));
      publishRoutes(bootstrap);
      Path stateDir = Files.createTempDirectory("whole-path-bench-state");
      // The settings tried first, the benchmark's own keys over them.
      Map<String, String> routerSettings = new java.util.HashMap<>(routerOverrides);
      routerSettings.putAll(
          Map.of(
              RouterConfig.BOOTSTRAP_SERVERS,
              bootstrap,
              RouterConfig.SCHEMA_REGISTRY_URL,
              REGISTRY,
              RouterConfig.APPLICATION_ID,
              "whole-path-bench",
              RouterConfig.STATE_DIR,
              stateDir.toString(),
              // Only the whole path's app: the bridge-alone calls never reach the router.
              RouterConfig.REQUEST_TOPIC_PATTERN,
              java.util.regex.Pattern.quote(Topics.requests(PATH_APP))));
      var routerConfig =
          ConfigLoader.load(RouterConfig.definition(), null, Map.of(), routerSettings);
      if (!routerOverrides.isEmpty()) {
        System.out.println("router settings tried: " + routerOverrides);
      }
      Map<String, String> workerSettings =
          new java.util.LinkedHashMap<>(
              Map.of(
                  WorkerConfig.BOOTSTRAP_SERVERS, bootstrap,
                  WorkerConfig.SCHEMA_REGISTRY_URL, REGISTRY,
                  WorkerConfig.MANAGEMENT_PORT, "-1",
                  WorkerConfig.DEPLOYMENT, DEPLOYMENT,
                  WorkerConfig.FUNCTION, "noop"));
      workerSettings.putAll(workerOverrides);
      if (!workerOverrides.isEmpty()) {
        System.out.println("worker settings tried: " + workerOverrides);
      }
      WorkerConfig workerConfig = WorkerConfig.of(workerSettings);
      BridgeConfig bridgeConfig =
          BridgeConfig.of(
              Map.of(
                  BridgeConfig.PORT, "0",
                  BridgeConfig.BOOTSTRAP_SERVERS, bootstrap,
                  BridgeConfig.SCHEMA_REGISTRY_URL, REGISTRY));
      SluiceFunction noop = batch -> batch.map(r -> ItemResult.json("{\"ok\":true}"));
      try (RouterApp router =
              RouterApp.start(
                  RouterConfig.from(routerConfig), Metrics.newRegistry("router"), false);
          WorkerApp worker = WorkerApp.start(workerConfig, noop, new SimpleMeterRegistry());
          EchoPath echo = new EchoPath(bootstrap, REGISTRY, ECHO_APP, false);
          BridgeServer bridge = BridgeServer.start(bridgeConfig)) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!(router.state() == KafkaStreams.State.RUNNING
                && worker.ready()
                && echo.assigned()
                && bridge.ready())
            && System.nanoTime() < until) {
          Thread.sleep(50);
        }
        if (router.state() != KafkaStreams.State.RUNNING || !worker.ready()) {
          throw new IllegalStateException(
              "not ready after 90 s: router " + router.state() + ", worker " + worker.ready());
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest alone = infer(bridge.port(), ECHO_APP);
        HttpRequest whole = infer(bridge.port(), PATH_APP);
        for (int i = 0; i < warmup; i++) {
          BridgeOverheadBenchmark.call(http, alone, null);
          BridgeOverheadBenchmark.call(http, whole, null);
        }
        JitWarmup.untilQuiet(
            concurrency + " callers, bridge alone and whole path",
            () -> {
              BridgeOverheadBenchmark.throughput(http, alone, 2, concurrency);
              BridgeOverheadBenchmark.throughput(http, whole, 2, concurrency);
            },
            warmupCapSeconds);
        for (int round = 1; round <= rounds; round++) {
          Histogram a = new Histogram(TimeUnit.SECONDS.toMicros(30), 3);
          Histogram w = new Histogram(TimeUnit.SECONDS.toMicros(30), 3);
          Stages stages = new Stages();
          for (int i = 0; i < requests; i++) {
            BridgeOverheadBenchmark.call(http, alone, a);
            stages.record(BridgeOverheadBenchmark.call(http, whole, w));
          }
          double aloneRps = BridgeOverheadBenchmark.throughput(http, alone, seconds, concurrency);
          double wholeRps = BridgeOverheadBenchmark.throughput(http, whole, seconds, concurrency);
          System.out.printf(
              Locale.ROOT,
              "round %d of %d (maxWaitMs %d, maxBatchSize %d), load %.2f%n"
                  + "  one caller     p50 / p90 / p99 ms: bridge alone %.2f / %.2f / %.2f;"
                  + " whole path %.2f / %.2f / %.2f%n"
                  + "  %d callers: bridge alone %.0f req/s, whole path %.0f req/s, ratio %.2f%n",
              round,
              rounds,
              maxWaitMs,
              maxBatchSize,
              BenchResults.loadAverage(),
              ms(a, 50),
              ms(a, 90),
              ms(a, 99),
              ms(w, 50),
              ms(w, 90),
              ms(w, 99),
              concurrency,
              aloneRps,
              wholeRps,
              wholeRps / aloneRps);
          System.out.println(stages);
          results.round("path-p50", ms(w, 50), ms(a, 50), ms(w, 50));
          results.round("path-p99", ms(w, 99), ms(a, 99), ms(w, 99));
          results.round("path-throughput", wholeRps / aloneRps, aloneRps, wholeRps);
        }
      }
    }
    results.finish();
    return 0;
  }

  private static HttpRequest infer(int port, String app) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v1/apps/" + app + "/infer"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"input\":" + BODY + "}"))
        .build();
  }

  private void publishRoutes(String bootstrap) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    var serializer = AvroSerde.of(RouteConfig.class, SerdeConfig.of(REGISTRY), false).serializer();
    BatchingSettings batching =
        BatchingSettings.newBuilder()
            .setMaxBatchSize(maxBatchSize)
            .setMaxWaitMs(maxWaitMs)
            .setMaxBatchTokens(null)
            .build();
    RouteConfig path =
        RouteConfig.newBuilder()
            .setApp(PATH_APP)
            .setVariants(
                List.of(Variant.newBuilder().setName("a").setDeployment(DEPLOYMENT).build()))
            .setShadows(List.of())
            .setBatching(Map.of(DEPLOYMENT, batching))
            .setSalt("salt-" + PATH_APP)
            .setUpdatedAtMs(Instant.now())
            .build();
    RouteConfig echo =
        RouteConfig.newBuilder()
            .setApp(ECHO_APP)
            .setVariants(List.of(Variant.newBuilder().setName("a").setDeployment("echo").build()))
            .setUpdatedAtMs(Instant.now())
            .build();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      for (RouteConfig rc : List.of(path, echo)) {
        producer
            .send(
                new ProducerRecord<>(
                    Topics.ROUTES, rc.getApp(), serializer.serialize(Topics.ROUTES, rc)))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Where a whole-path call's time goes, from the reply's timings (epoch ms, so ms resolution):
   * bridge produce and router consume, the batch wait, the batch topic and the worker's poll, the
   * function, and the reply's way back to the HTTP client.
   */
  private static final class Stages {
    private static final String[] NAMES = {
      "created -> routed (bridge produce, router poll)",
      "routed -> batch flushed (batch wait)",
      "flushed -> worker started (batch topic, worker poll)",
      "worker started -> finished (no-op function)",
      "finished -> HTTP response (reply topic, bridge)"
    };
    private static final String[] FIELDS = {
      "createdAtMs", "routedAtMs", "batchFlushedAtMs", "startedAtMs", "finishedAtMs"
    };
    private final Histogram[] h = new Histogram[NAMES.length];
    private long incomplete;

    Stages() {
      for (int i = 0; i < h.length; i++) {
        h[i] = new Histogram(TimeUnit.SECONDS.toMillis(60), 3);
      }
    }

    void record(String body) throws java.io.IOException {
      long now = System.currentTimeMillis();
      var t = JSON.readTree(body).path("timings");
      long[] at = new long[FIELDS.length + 1];
      for (int i = 0; i < FIELDS.length; i++) {
        if (!t.hasNonNull(FIELDS[i])) {
          incomplete++;
          return;
        }
        at[i] = t.get(FIELDS[i]).asLong();
      }
      at[FIELDS.length] = now;
      for (int i = 0; i < h.length; i++) {
        h[i].recordValue(Math.min(Math.max(0, at[i + 1] - at[i]), h[i].getHighestTrackableValue()));
      }
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("  whole path, one caller, p50 / p99 ms per stage:");
      for (int i = 0; i < h.length; i++) {
        b.append(
            String.format(
                Locale.ROOT,
                "%n    %-54s %d / %d",
                NAMES[i],
                h[i].getValueAtPercentile(50),
                h[i].getValueAtPercentile(99)));
      }
      if (incomplete > 0) {
        b.append(String.format(Locale.ROOT, "%n    (%d replies without all timings)", incomplete));
      }
      return b.toString();
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }
}
