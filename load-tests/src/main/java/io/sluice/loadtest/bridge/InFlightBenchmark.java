package io.sluice.loadtest.bridge;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Variant;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.loadtest.bench.BenchResults;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.FakeWorker;
import io.sluice.testkit.Records;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * 10,000 calls in flight at the bridge at once, behind a slow backend: the bridge's heap after GC
 * while all of them wait, and whether every call ends 200.
 *
 * <p>The bridge runs alone in a child JVM ({@link InFlightBridgeMain}, {@code --bridge-xmx}), so
 * the heap measured is the bridge's: the in-JVM KRaft broker, the embedded schema registry (a real
 * HTTP one: two JVMs must agree on schema ids), the slow echo and the callers run in this JVM. The
 * callers are one {@code java.net.http} client sending asynchronously over HTTP/1.1, so every call
 * holds its own connection (10,000 sockets on each side; the fd limit here is 20,000 per process,
 * which is why the two sides are two processes).
 *
 * <p>The echo (testkit's {@link FakeWorker} on {@code sluice.requests.<app>}, no router) holds each
 * request until all {@code --calls} have reached it, so they are all in flight at the bridge at
 * once; then the bridge JVM runs a GC and reports its heap and its {@code sluice.bridge.in.flight}
 * gauge, and the echo answers each held request {@code --delay-ms} after it arrived (at once if
 * that has passed). The baseline is the same bridge's heap after GC, idle after the warm-up.
 *
 * <p>The bridge's own limits raised for this: {@code sluice.bridge.max-in-flight} (default 10,000,
 * which admits exactly 10,000) to {@code --max-in-flight}, and {@code
 * sluice.bridge.default-timeout-ms} (default 30 s) to {@code --timeout-ms}, so that a slow ramp on
 * a busy machine is not timed out.
 */
@Command(
    name = "in-flight",
    mixinStandardHelpOptions = true,
    description = "10,000 calls held in flight at the bridge: heap after GC and errors.")
public final class InFlightBenchmark implements Callable<Integer> {
  private static final String APP = "bench-slow";
  private static final String BODY = "{\"text\":\"the quick brown fox jumps over the lazy dog\"}";

  @Option(names = "--calls", defaultValue = "10000", description = "Calls held in flight at once.")
  int calls;

  @Option(
      names = "--delay-ms",
      defaultValue = "2000",
      description = "The slow echo answers this long after a request reached it, at the earliest.")
  long delayMs;

  @Option(
      names = "--ramp-seconds",
      defaultValue = "5",
      description =
          "The calls are sent evenly over this long (connection set-up at a steady pace).")
  int rampSeconds;

  @Option(names = "--rounds", defaultValue = "1", description = "Measured rounds.")
  int rounds;

  @Option(names = "--warmup", defaultValue = "500", description = "Warm-up calls (concurrent).")
  int warmup;

  @Option(names = "--heap-goal-mib", defaultValue = "512", description = "The goal, MiB.")
  int heapGoalMib;

  @Option(names = "--bridge-xmx", defaultValue = "1g", description = "-Xmx of the bridge's JVM.")
  String bridgeXmx;

  @Option(
      names = "--max-in-flight",
      defaultValue = "12000",
      description = "sluice.bridge.max-in-flight of the bridge (its default is 10000).")
  int maxInFlight;

  @Option(
      names = "--timeout-ms",
      defaultValue = "120000",
      description = "sluice.bridge.default-timeout-ms of the bridge (its default is 30000).")
  long timeoutMs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new InFlightBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    BenchResults results =
        new BenchResults(
            "inflight",
            String.format(
                Locale.ROOT,
                "%d calls held at once (async java.net.http, HTTP/1.1, sent over %d s), echo"
                    + " answers >= %d ms after arrival once all arrived; bridge alone in its own JVM"
                    + " (-Xmx%s), max-in-flight %d, default-timeout-ms %d; %d rounds",
                calls,
                rampSeconds,
                delayMs,
                bridgeXmx,
                maxInFlight,
                timeoutMs,
                rounds));
    results
        .goal(
            "inflight-heap",
            "Bridge heap after GC, " + calls + " calls in flight (slow backend)",
            "the same bridge idle after warm-up, heap after GC",
            "MiB",
            "<",
            heapGoalMib,
            heapGoalMib + " MiB",
            "MiB")
        .goal(
            "inflight-errors",
            "Failed calls of " + calls + " held in flight",
            "calls sent",
            "errors",
            "<=",
            0,
            "0",
            "calls");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.builder(broker.bootstrapServers(), 0).build().start()) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(
          new NewTopic(Topics.ROUTES, 1, (short) 1),
          new NewTopic(Topics.requests(APP), 4, (short) 1));
      publishRoute(bootstrap, registry.url());
      ScheduledExecutorService timer =
          Executors.newSingleThreadScheduledExecutor(daemon("slow-echo"));
      SlowEcho slow = new SlowEcho(timer, delayMs);
      Properties c =
          FakeWorker.consumerProps(bootstrap, "bench-slow-" + System.nanoTime(), "latest");
      c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
      ExecutorService httpPool = Executors.newFixedThreadPool(4, daemon("callers"));
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(60))
              .executor(httpPool)
              .build();
      String out = System.getProperty("bench.out");
      // Beside bench.sh's logs when it runs this, else in the temp directory.
      File log =
          out == null || out.isBlank() || Path.of(out).toAbsolutePath().getParent() == null
              ? File.createTempFile("inflight-bridge-", ".log")
              : Files.createDirectories(
                      Path.of(out).toAbsolutePath().getParent().resolveSibling("logs"))
                  .resolve("inflight-bridge.log")
                  .toFile();
      try (FakeWorker echo =
              FakeWorker.start(
                  c,
                  FakeWorker.producerProps(bootstrap, 0),
                  registry.url(),
                  List.of(Topics.requests(APP)),
                  slow::answer);
          BridgeProcess bridge = new BridgeProcess(bootstrap, registry.url(), log)) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!echo.assigned() && System.nanoTime() < until) {
          Thread.sleep(50);
        }
        URI uri = URI.create("http://127.0.0.1:" + bridge.port + "/v1/apps/" + APP + "/infer");
        System.out.printf(
            Locale.ROOT,
            "bridge pid %d on port %d (log %s and .out); warm-up: %d concurrent calls%n",
            bridge.pid(),
            bridge.port,
            log,
            warmup);
        Outcomes w = fire(http, uri, warmup, 1);
        w.await(Duration.ofMillis(timeoutMs + 30_000));
        System.out.println("warm-up: " + w);
        HeapReading idle = bridge.heap();
        System.out.printf(
            Locale.ROOT,
            "idle bridge: heap after GC %.1f MiB (before GC %.1f, committed %.1f), in flight %d,"
                + " fds %d, load %.2f%n",
            idle.usedAfterGcMib(),
            idle.usedBeforeMib(),
            idle.committedMib(),
            idle.inFlight(),
            idle.fds(),
            BenchResults.loadAverage());
        for (int round = 1; round <= rounds; round++) {
          slow.hold();
          long start = System.nanoTime();
          Outcomes o = fire(http, uri, calls, rampSeconds);
          long allBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs / 2);
          while (slow.held() < calls && !o.allDone() && System.nanoTime() < allBy) {
            Thread.sleep(20);
          }
          double heldAfter = (System.nanoTime() - start) / 1e9;
          HeapReading peak = bridge.heap();
          int held = slow.held();
          slow.release();
          o.await(Duration.ofMillis(timeoutMs + 30_000));
          double seconds = (System.nanoTime() - start) / 1e9;
          long errors = calls - o.ok(); // failed or still unanswered
          System.out.printf(
              Locale.ROOT,
              "round %d of %d: %d calls held at the echo after %.1f s; bridge in flight %d, fds %d;"
                  + " heap after GC %.1f MiB (before GC %.1f, committed %.1f; idle %.1f), goal <"
                  + " %d MiB: %s; %s in %.1f s, load %.2f%n",
              round,
              rounds,
              held,
              heldAfter,
              peak.inFlight(),
              peak.fds(),
              peak.usedAfterGcMib(),
              peak.usedBeforeMib(),
              peak.committedMib(),
              idle.usedAfterGcMib(),
              heapGoalMib,
              peak.usedAfterGcMib() < heapGoalMib ? "pass" : "short",
              o,
              seconds,
              BenchResults.loadAverage());
          if (held < calls || peak.inFlight() < calls) {
            System.out.printf(
                Locale.ROOT,
                "  not all %d were in flight at once (echo held %d, bridge counted %d): the heap"
                    + " figure is of fewer calls; counted as errors%n",
                calls,
                held,
                peak.inFlight());
            errors = Math.max(errors, calls - Math.min(held, peak.inFlight()));
          }
          results.round(
              "inflight-heap", peak.usedAfterGcMib(), idle.usedAfterGcMib(), peak.usedAfterGcMib());
          results.round("inflight-errors", (double) errors, calls, (double) o.ok());
        }
        if (echo.failedReplies() > 0) {
          System.out.println(echo.failedReplies() + " echo replies refused by the broker");
        }
      } finally {
        httpPool.shutdownNow();
        timer.shutdownNow();
      }
    }
    results.finish();
    return 0;
  }

  /**
   * Sends {@code n} calls asynchronously, spread evenly over {@code seconds}, and returns their
   * outcomes as they arrive.
   */
  private static Outcomes fire(HttpClient http, URI uri, int n, int seconds)
      throws InterruptedException {
    Outcomes o = new Outcomes(n);
    int ticks = Math.max(1, seconds * 20); // one batch of sends every 50 ms
    int perTick = (n + ticks - 1) / ticks;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (i > 0 && i % perTick == 0) {
        long due = start + (i / perTick) * 50_000_000L;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      HttpRequest r =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofMinutes(5))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"input\":" + BODY + "}"))
              .build();
      o.track(http.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
    }
    return o;
  }

  /** How the calls of one burst ended: 200, another status, or an exception (with a sample). */
  private static final class Outcomes {
    private final int expected;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<String, Long> kinds = new ConcurrentHashMap<>();
    private final List<CompletableFuture<?>> futures = new ArrayList<>();

    Outcomes(int expected) {
      this.expected = expected;
    }

    void track(CompletableFuture<HttpResponse<String>> f) {
      futures.add(
          f.whenComplete(
              (res, e) -> {
                if (e != null) {
                  failed.incrementAndGet();
                  Throwable cause = e.getCause() != null ? e.getCause() : e;
                  kinds.merge(cause.getClass().getSimpleName(), 1L, Long::sum);
                } else if (res.statusCode() == 200) {
                  ok.incrementAndGet();
                } else {
                  failed.incrementAndGet();
                  kinds.merge("HTTP " + res.statusCode(), 1L, Long::sum);
                }
              }));
    }

    void await(Duration d) throws InterruptedException {
      try {
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
            .get(d.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // counted per call in track(); a call still open at the deadline counts as an error
      }
    }

    boolean allDone() {
      return ok.get() + failed.get() >= expected;
    }

    long ok() {
      return ok.get();
    }

    @Override
    public String toString() {
      long open = expected - ok.get() - failed.get();
      return String.format(
          Locale.ROOT,
          "%d calls: %d ok, %d failed%s%s",
          expected,
          ok.get(),
          failed.get(),
          kinds.isEmpty() ? "" : " " + kinds,
          open > 0 ? ", " + open + " unanswered" : "");
    }
  }

  /**
   * The slow backend: answers each request {@code delayMs} after it arrived; while holding, it
   * keeps every answer back until {@link #release()}.
   */
  private static final class SlowEcho {
    private final ScheduledExecutorService timer;
    private final long delayMs;
    private final List<Held> held = new ArrayList<>();
    private boolean holding;

    private record Held(
        InferenceRequest request,
        long arrivedNanos,
        CompletableFuture<List<InferenceResponse>> f) {}

    SlowEcho(ScheduledExecutorService timer, long delayMs) {
      this.timer = timer;
      this.delayMs = delayMs;
    }

    synchronized void hold() {
      holding = true;
      held.clear();
    }

    synchronized int held() {
      return held.size();
    }

    synchronized void release() {
      holding = false;
      held.forEach(this::schedule);
      held.clear();
    }

    synchronized CompletableFuture<List<InferenceResponse>> answer(
        org.apache.kafka.clients.consumer.ConsumerRecord<String, InferenceRequest> rec) {
      Held h = new Held(rec.value(), System.nanoTime(), new CompletableFuture<>());
      if (holding) {
        held.add(h);
      } else {
        schedule(h);
      }
      return h.f();
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the answer's future carries the outcome
    private void schedule(Held h) {
      long dueIn = h.arrivedNanos() + TimeUnit.MILLISECONDS.toNanos(delayMs) - System.nanoTime();
      timer.schedule(
          () -> h.f().complete(List.of(echo(h.request()))),
          Math.max(0, dueIn),
          TimeUnit.NANOSECONDS);
    }

    private static InferenceResponse echo(InferenceRequest req) {
      return Records.ok(req)
          .setOutput(
              JsonOutput.newBuilder().setJson(((JsonInput) req.getInput()).getJson()).build())
          .build();
    }
  }

  /** The bridge's JVM: started here, driven over its stdin/stdout, stopped on close. */
  private final class BridgeProcess implements AutoCloseable {
    private final Process process;
    private final PrintWriter commands;
    private final PrintWriter logLines;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final int port;

    BridgeProcess(String bootstrap, String registryUrl, File log) throws Exception {
      String javaCommand = ProcessHandle.current().info().command().orElse("java");
      process =
          new ProcessBuilder(
                  javaCommand,
                  "-Xmx" + bridgeXmx,
                  "-cp",
                  System.getProperty("java.class.path"),
                  InFlightBridgeMain.class.getName(),
                  bootstrap,
                  registryUrl,
                  Integer.toString(maxInFlight),
                  Long.toString(timeoutMs))
              .redirectError(log)
              .start();
      // The bridge's own log lines on stdout: kept beside its stderr.
      logLines =
          new PrintWriter(
              Files.newBufferedWriter(Path.of(log.getPath() + ".out"), StandardCharsets.UTF_8),
              true);
      commands =
          new PrintWriter(
              new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String l = r.readLine(); l != null; l = r.readLine()) {
                    if (l.startsWith(InFlightBridgeMain.MARK)) {
                      lines.add(l.substring(InFlightBridgeMain.MARK.length()));
                    } else {
                      logLines.println(l);
                    }
                  }
                } catch (java.io.IOException e) {
                  lines.add("failed: " + e);
                }
              },
              "bridge-stdout");
      reader.setDaemon(true);
      reader.start();
      String first = next(Duration.ofSeconds(90));
      if (first == null || !first.startsWith("ready ")) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "bridge JVM did not start: " + first + " (see " + log + ")");
      }
      port = Integer.parseInt(first.substring("ready ".length()).trim());
    }

    long pid() {
      return process.pid();
    }

    HeapReading heap() throws InterruptedException {
      commands.println("heap");
      return HeapReading.parse(next(Duration.ofSeconds(60)));
    }

    private String next(Duration d) throws InterruptedException {
      return lines.poll(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      commands.println("quit");
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      } finally {
        logLines.close();
      }
    }
  }

  private static void publishRoute(String bootstrap, String registryUrl) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    var serializer =
        AvroSerde.of(RouteConfig.class, SerdeConfig.of(registryUrl), false).serializer();
    RouteConfig rc =
        RouteConfig.newBuilder()
            .setApp(APP)
            .setVariants(List.of(Variant.newBuilder().setName("a").setDeployment("slow").build()))
            .setUpdatedAtMs(Instant.now())
            .build();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer
          .send(new ProducerRecord<>(Topics.ROUTES, APP, serializer.serialize(Topics.ROUTES, rc)))
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
