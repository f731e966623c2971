package io.sluice.loadtest.bridge;

import io.sluice.avro.RouteConfig;
import io.sluice.avro.Variant;
import io.sluice.bridge.BridgeConfig;
import io.sluice.bridge.BridgeServer;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.loadtest.bench.BenchResults;
import io.sluice.loadtest.bench.JitWarmup;
import io.sluice.loadtest.bench.ProcessCpu;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What the HTTP bridge adds to a call: in one run, the same small JSON body is sent (a) straight to
 * an HTTP echo backend and (b) through the bridge, Kafka, an echo consumer that answers it (from
 * Kafka alone by default, so the harness's own HTTP client is not what is measured; {@code --echo
 * http} makes it call that same backend), and Kafka back. Prints p50/p90/p99 of both and their
 * difference (one request in flight, interleaved so both see the same machine), then closed-loop
 * throughput through the bridge. No router, so no batch wait; producers use linger.ms=0.
 *
 * <pre>
 * ./mvnw -q -pl load-tests -am install -DskipTests
 * java -cp "$(cat load-tests/target/classpath.txt)" ...   (see bridge/README.md)
 * </pre>
 */
@Command(
    name = "bridge-overhead",
    mixinStandardHelpOptions = true,
    description = "Bridge round trip through Kafka vs a direct HTTP call to the same backend.")
public final class BridgeOverheadBenchmark implements Callable<Integer> {
  private static final String APP = "bench-echo";
  private static final String BODY = "{\"text\":\"the quick brown fox jumps over the lazy dog\"}";

  @Option(names = "--warmup", defaultValue = "1000", description = "Warm-up calls of each kind.")
  int warmup;

  @Option(names = "--requests", defaultValue = "3000", description = "Measured calls of each kind.")
  int requests;

  @Option(
      names = "--concurrency",
      defaultValue = "32",
      description = "Callers in the throughput phase.")
  int concurrency;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Measured rounds (latency, then direct and bridge throughput, each round).")
  int rounds;

  @Option(
      names = "--echo",
      defaultValue = "kafka",
      description =
          "kafka: the echo consumer answers from Kafka alone (measures the bridge); http: it calls"
              + " the HTTP backend for each request (the earlier harness).")
  String echo;

  @Option(
      names = "--bridge-config",
      description =
          "A bridge setting to try (key=value, repeatable), e.g. sluice.bridge.inline-send=false;"
              + " the bridge's own defaults otherwise.")
  Map<String, String> bridgeOverrides = new java.util.LinkedHashMap<>();

  @Option(
      names = "--seconds",
      defaultValue = "10",
      description = "Length of each throughput phase.")
  int seconds;

  @Option(names = "--warmup-cap", defaultValue = "120", description = JitWarmup.CAP_HELP)
  int warmupCapSeconds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BridgeOverheadBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    String registry = "mock://bridge-bench";
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(
          new NewTopic(Topics.ROUTES, 1, (short) 1),
          new NewTopic(Topics.requests(APP), 4, (short) 1));
      publishRoute(bootstrap, registry);
      Map<String, String> settings = new java.util.LinkedHashMap<>(bridgeOverrides);
      settings.put(BridgeConfig.PORT, "0");
      settings.put(BridgeConfig.BOOTSTRAP_SERVERS, bootstrap);
      settings.put(BridgeConfig.SCHEMA_REGISTRY_URL, registry);
      BridgeConfig config = BridgeConfig.of(settings);
      BenchResults results =
          new BenchResults(
              "bridge",
              String.format(
                  Locale.ROOT,
                  "%d calls per round, 1 in flight, %d warm-up; %d callers for %d s; %d rounds;"
                      + " echo %s%s",
                  requests,
                  warmup,
                  concurrency,
                  seconds,
                  rounds,
                  echo,
                  bridgeOverrides.isEmpty() ? "" : "; bridge " + bridgeOverrides));
      results
          .goal(
              "bridge-p50",
              "Bridge added latency p50, one call in flight",
              "direct HTTP call to the echo backend",
              "ms",
              "<=",
              2.5,
              "2.5 ms",
              "ms")
          .goal(
              "bridge-p99",
              "Bridge added latency p99, one call in flight",
              "direct HTTP call to the echo backend",
              "ms",
              "<=",
              6,
              "6 ms",
              "ms")
          .goal(
              "bridge-throughput",
              "Bridge throughput, " + concurrency + " callers",
              "direct HTTP to the same backend, " + concurrency + " callers",
              "ratio",
              ">=",
              0.5,
              "0.5",
              "req/s")
          .goal(
              "bridge-cpu",
              "Bridge CPU per call, "
                  + concurrency
                  + " callers, direct ÷ bridge (context, no goal: the ceiling of the"
                  + " throughput ratio while the machine is CPU-bound)",
              "direct HTTP to the same backend, whole JVM's CPU per call",
              "ratio",
              ">=",
              0,
              "none",
              "µs of CPU per call");
      try (EchoPath path = new EchoPath(bootstrap, registry, APP, "http".equals(echo));
          BridgeServer bridge = BridgeServer.start(config)) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(bridge.ready() && path.assigned()) && System.nanoTime() < until) {
          Thread.sleep(50);
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest direct =
            HttpRequest.newBuilder(path.backendUri())
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .build();
        HttpRequest viaBridge =
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + bridge.port() + "/v1/apps/" + APP + "/infer"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":" + BODY + "}"))
                .build();

        for (int i = 0; i < warmup; i++) {
          call(http, direct, null);
          call(http, viaBridge, null);
        }
        // The closed-loop path warms up too (32 connections, the bridge's concurrent paths),
        // until the JIT is done with it: see JitWarmup.
        JitWarmup.untilQuiet(
            concurrency + " callers, direct and bridge",
            () -> {
              throughput(http, direct, 2);
              throughput(http, viaBridge, 2);
            },
            warmupCapSeconds);
        for (int round = 1; round <= rounds; round++) {
          Histogram d = new Histogram(TimeUnit.SECONDS.toMicros(30), 3);
          Histogram b = new Histogram(TimeUnit.SECONDS.toMicros(30), 3);
          for (int i = 0; i < requests; i++) {
            call(http, direct, d);
            String body = call(http, viaBridge, b);
            breakdown(body);
          }
          long cpu0 = ProcessCpu.nanos();
          ClosedLoop directLoop = closedLoop(http, direct, seconds, concurrency);
          long cpu1 = ProcessCpu.nanos();
          ClosedLoop bridgeLoop = closedLoop(http, viaBridge, seconds, concurrency);
          double directRps = directLoop.perSecond();
          double bridgeRps = bridgeLoop.perSecond();
          double directCpuUs = (cpu1 - cpu0) / 1e3 / Math.max(1, directLoop.calls());
          double bridgeCpuUs = (ProcessCpu.nanos() - cpu1) / 1e3 / Math.max(1, bridgeLoop.calls());
          System.out.printf(Locale.ROOT, "%nround %d of %d, echo %s:", round, rounds, echo);
          print(d, b, directRps, bridgeRps);
          System.out.printf(
              Locale.ROOT,
              "CPU per call, %d callers (the whole JVM: harness, broker, echo and bridge):"
                  + " direct %.0f µs, bridge %.0f µs (direct ÷ bridge %.2f)%n",
              concurrency,
              directCpuUs,
              bridgeCpuUs,
              directCpuUs / bridgeCpuUs);
          results.round("bridge-cpu", directCpuUs / bridgeCpuUs, directCpuUs, bridgeCpuUs);
          results.round("bridge-p50", ms(b, 50) - ms(d, 50), ms(d, 50), ms(b, 50));
          results.round("bridge-p99", ms(b, 99) - ms(d, 99), ms(d, 99), ms(b, 99));
          results.round("bridge-throughput", bridgeRps / directRps, directRps, bridgeRps);
        }
      }
      if (RESENT.get() > 0) {
        System.out.println(RESENT.get() + " calls re-sent after a closed keep-alive connection");
      }
      results.finish();
    }
    return 0;
  }

  private static void publishRoute(String bootstrap, String registry) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    var serializer = AvroSerde.of(RouteConfig.class, SerdeConfig.of(registry), false).serializer();
    RouteConfig rc =
        RouteConfig.newBuilder()
            .setApp(APP)
            .setVariants(List.of(Variant.newBuilder().setName("a").setDeployment("echo").build()))
            .setUpdatedAtMs(Instant.now())
            .build();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer
          .send(new ProducerRecord<>(Topics.ROUTES, APP, serializer.serialize(Topics.ROUTES, rc)))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private final Histogram toWorker = new Histogram(TimeUnit.SECONDS.toMillis(30), 3);
  private final Histogram inWorker = new Histogram(TimeUnit.SECONDS.toMillis(30), 3);
  private final Histogram back = new Histogram(TimeUnit.SECONDS.toMillis(30), 3);

  /** Where the time of one bridge call went, from the reply's timings (ms resolution). */
  private void breakdown(String body) throws Exception {
    var t = JSON.readTree(body).get("timings");
    long created = t.get("createdAtMs").asLong();
    long started = t.get("startedAtMs").asLong();
    long finished = t.get("finishedAtMs").asLong();
    toWorker.recordValue(Math.max(0, started - created));
    inWorker.recordValue(Math.max(0, finished - started));
    back.recordValue(Math.max(0, System.currentTimeMillis() - finished));
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** Calls that found their pooled keep-alive connection closed by the server, and were re-sent. */
  private static final AtomicLong RESENT = new AtomicLong();

  /**
   * One call; records its latency (µs) in {@code h} unless null; fails on a status other than 200.
   */
  static String call(HttpClient http, HttpRequest r, Histogram h) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> res;
    try {
      res = http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      // A pooled connection the server closed while idle (seen with the JDK's HTTP server after a
      // phase's 32 connections sat unused): send once more on a fresh one, and say so at the end.
      RESENT.incrementAndGet();
      start = System.nanoTime();
      res = http.send(r, HttpResponse.BodyHandlers.ofString());
    }
    long micros = (System.nanoTime() - start) / 1000;
    if (res.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + res.statusCode() + ": " + res.body());
    }
    if (h != null) {
      h.recordValue(Math.min(micros, h.getHighestTrackableValue()));
    }
    return res.body();
  }

  /** Closed loop: {@code concurrency} callers for {@code seconds}; completed calls per second. */
  private double throughput(HttpClient http, HttpRequest r, int seconds) throws Exception {
    return throughput(http, r, seconds, concurrency);
  }

  /** Closed loop: {@code concurrency} callers for {@code seconds}; completed calls per second. */
  static double throughput(HttpClient http, HttpRequest r, int seconds, int concurrency)
      throws Exception {
    return closedLoop(http, r, seconds, concurrency).perSecond();
  }

  /** What a closed-loop phase completed, and in how long. */
  record ClosedLoop(long calls, double seconds) {
    double perSecond() {
      return calls / seconds;
    }
  }

  /** Closed loop: {@code concurrency} callers for {@code seconds}. */
  static ClosedLoop closedLoop(HttpClient http, HttpRequest r, int seconds, int concurrency)
      throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<?>> fs = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < concurrency; i++) {
        fs.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    call(http, r, null);
                    done.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get(seconds + 60L, TimeUnit.SECONDS);
      }
      return new ClosedLoop(done.get(), (System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private void print(Histogram d, Histogram b, double directRps, double bridgeRps) {
    String cpu = Runtime.getRuntime().availableProcessors() + " cpus";
    System.out.printf(
        Locale.ROOT,
        "%nBridge overhead (%d calls each, 1 in flight, after %d warm-up; %s, %s %s, Java %s)%n",
        requests,
        warmup,
        cpu,
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        System.getProperty("java.version"));
    System.out.printf(
        Locale.ROOT, "%-26s %9s %9s %9s %9s%n", "", "p50 ms", "p90 ms", "p99 ms", "max ms");
    row("direct HTTP to backend", d);
    row("http".equals(echo) ? "bridge -> Kafka -> backend" : "bridge -> Kafka -> echo", b);
    System.out.printf(
        Locale.ROOT,
        "%-26s %9.2f %9.2f %9.2f%n",
        "added by bridge + Kafka",
        ms(b, 50) - ms(d, 50),
        ms(b, 90) - ms(d, 90),
        ms(b, 99) - ms(d, 99));
    System.out.printf(
        Locale.ROOT,
        "%nWhere a bridge call's time goes, p50/p99 ms (wall clock, ms resolution):%n"
            + "  bridge accepted -> echo consumer has it:   %d / %d%n"
            + "  echo consumer -> backend -> reply built:   %d / %d%n"
            + "  reply produced -> HTTP response received:  %d / %d%n",
        toWorker.getValueAtPercentile(50),
        toWorker.getValueAtPercentile(99),
        inWorker.getValueAtPercentile(50),
        inWorker.getValueAtPercentile(99),
        back.getValueAtPercentile(50),
        back.getValueAtPercentile(99));
    System.out.printf(
        Locale.ROOT,
        "%nThroughput, %d closed-loop callers for %d s: direct %.0f req/s, bridge %.0f req/s%n",
        concurrency,
        seconds,
        directRps,
        bridgeRps);
  }

  private static void row(String name, Histogram h) {
    System.out.printf(
        Locale.ROOT,
        "%-26s %9.2f %9.2f %9.2f %9.2f%n",
        name,
        ms(h, 50),
        ms(h, 90),
        ms(h, 99),
        h.getMaxValue() / 1000.0);
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }
}
