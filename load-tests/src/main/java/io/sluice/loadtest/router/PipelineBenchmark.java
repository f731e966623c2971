package io.sluice.loadtest.router;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.StepReport;
import io.sluice.avro.Timings;
import io.sluice.avro.Variant;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.ops.Metrics;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.loadtest.bench.BenchResults;
import io.sluice.loadtest.report.Percentiles;
import io.sluice.router.RouterApp;
import io.sluice.router.RouterConfig;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What running a pipeline in the router costs per step, next to calling one deployment directly, in
 * the same run on the same in-JVM broker and router. The pipeline is {@code a -> (b || c)}, two
 * steps on its critical path; the baseline app routes straight to deployment {@code d}. Every
 * deployment is served by its own no-op fake worker thread (answers at once), with the same
 * batching ({@code maxBatchSize 8}, {@code maxWaitMs} as given). The router runs with its defaults
 * but the producer linger given (its guarantee, commit and punctuation intervals are printed).
 *
 * <p>Open loop: request {@code k} of a round is due at {@code start + k/rate}, whatever the replies
 * do; latency runs from the intended send to the answer's arrival at the client. Rounds alternate
 * pipeline and direct at each rate; the first round of each {@code maxWaitMs} is a warm-up and is
 * left out of the medians (over rounds) that are reported. Per pipeline answer:
 *
 * <ul>
 *   <li>end to end;
 *   <li>orchestration overhead per critical-path step = (end to end − Σ over {@code a} and the
 *       later of {@code b, c} of (answeredAtMs − sentAtMs)) / 2: what the start, the hand-offs and
 *       the final answer add, spread over the steps;
 *   <li>router hop: {@code b}'s sentAtMs − {@code a}'s answeredAtMs;
 *   <li>the step's own round trip split into sent → worker started (repartition, batcher, batch
 *       topic, worker poll: the batch wait is in here) and worker finished → answered (reply topic,
 *       processor poll).
 * </ul>
 *
 * <p>{@code java -cp ... io.sluice.loadtest.router.PipelineBenchmark [rates=100,300] [seconds per
 * round=8] [rounds=3] [maxWaitMs list=0] [router producer linger.ms=the router's default]}
 */
public final class PipelineBenchmark {
  private static final String URL = "mock://pipeline-bench";
  private static final int BATCH_SIZE = 8;
  private static final Duration DRAIN = Duration.ofSeconds(30);

  private PipelineBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<Integer> rates = ints(args.length > 0 ? args[0] : "100,300");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    List<Integer> waits = ints(args.length > 3 ? args[3] : "0");
    // The router's own default (RouterApp); another value shows what the linger costs.
    int linger =
        args.length > 4
            ? Integer.parseInt(args[4])
            : io.sluice.router.RouterApp.DEFAULT_PRODUCER_LINGER_MS;
    BenchResults bench =
        new BenchResults(
            "pipeline",
            String.format(
                java.util.Locale.ROOT,
                "a -> (b || c) vs direct d, no-op workers, rates %s req/s, %d s per round, %d"
                    + " rounds (+1 warm-up), maxWaitMs %s, producer linger %d ms",
                rates,
                seconds,
                rounds - 1,
                waits,
                linger));
    String loadAtStart = loadAverage();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(
          new NewTopic(Topics.ROUTES, 1, (short) 1)
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
          new NewTopic(Topics.PIPELINE_REPLIES, 3, (short) 1),
          new NewTopic(Topics.DLQ_ROUTER, 1, (short) 1));
      List<Setup> setups = new ArrayList<>();
      for (int w : waits) {
        Setup s = new Setup(w);
        broker.createTopics(s.topics());
        setups.add(s);
      }
      try (KafkaProducer<String, Object> producer = producer(bootstrap)) {
        for (Setup s : setups) {
          for (RouteConfig r : s.routes()) {
            producer.send(new ProducerRecord<>(Topics.ROUTES, r.getApp(), r)).get();
          }
        }
      }
      List<StepWorker> workers = new ArrayList<>();
      for (Setup s : setups) {
        for (String d : s.deployments()) {
          workers.add(new StepWorker(bootstrap, d));
        }
      }
      Path stateDir = Files.createTempDirectory("pipeline-bench-state");
      var config =
          ConfigLoader.load(
              RouterConfig.definition(),
              null,
              Map.of(),
              Map.of(
                  RouterConfig.BOOTSTRAP_SERVERS,
                  bootstrap,
                  RouterConfig.SCHEMA_REGISTRY_URL,
                  URL,
                  RouterConfig.APPLICATION_ID,
                  "pipeline-bench",
                  RouterConfig.STATE_DIR,
                  stateDir.toString(),
                  RouterConfig.STREAMS_PREFIX + "producer.linger.ms",
                  Integer.toString(linger)));
      RouterConfig routerConfig = RouterConfig.from(config);
      System.out.printf(
          "pipeline a -> (b || c) vs direct d; no-op workers; maxBatchSize %d; router defaults"
              + " (%s, commit %d ms, punctuate %d ms) with producer linger %d ms; rates %s"
              + " req/s, %d s per round, %d rounds (round 1 = warm-up); %d cores; load at start"
              + " %s%n",
          BATCH_SIZE,
          routerConfig.processingGuarantee(),
          routerConfig.commitIntervalMs(),
          routerConfig.topology().punctuateInterval().toMillis(),
          linger,
          rates,
          seconds,
          rounds,
          Runtime.getRuntime().availableProcessors(),
          loadAtStart);
      try (RouterApp router = RouterApp.start(routerConfig, Metrics.newRegistry("router"), false);
          KafkaProducer<String, Object> producer = producer(bootstrap)) {
        while (router.state() != KafkaStreams.State.RUNNING) {
          LockSupport.parkNanos(10_000_000);
        }
        for (Setup s : setups) {
          for (int rate : rates) {
            bench.goal(
                "pipeline-step-w" + s.maxWaitMs + "-r" + rate,
                "Pipeline orchestration per step p50, maxWaitMs "
                    + s.maxWaitMs
                    + ", "
                    + rate
                    + " req/s",
                "the same steps' own round trips (direct call to one deployment: e2e p50 as the"
                    + " baseline figure)",
                "ms",
                "<=",
                2,
                "2 ms",
                "ms");
          }
          Map<String, List<Stats>> results = new LinkedHashMap<>();
          for (int r = 0; r < rounds; r++) {
            for (int rate : rates) {
              for (boolean pipeline : new boolean[] {true, false}) {
                Stats st = round(bootstrap, producer, s, pipeline, rate, seconds, r);
                System.out.printf(
                    "maxWaitMs %d round %d%s %s workers served %s%n",
                    s.maxWaitMs, r + 1, r == 0 ? " (warm-up)" : "", st.line(), served(workers));
                if (r > 0) {
                  results.computeIfAbsent(st.key(), k -> new ArrayList<>()).add(st);
                  List<Stats> pipes = results.get("pipeline@" + rate);
                  if (!pipeline && pipes != null) {
                    bench.round(
                        "pipeline-step-w" + s.maxWaitMs + "-r" + rate,
                        pipes.get(pipes.size() - 1).p().get("overhead/step")[0],
                        st.p().get("e2e")[0],
                        pipes.get(pipes.size() - 1).p().get("e2e")[0]);
                  }
                }
              }
            }
          }
          summarise(s.maxWaitMs, rates, results);
        }
      } finally {
        workers.forEach(StepWorker::close);
      }
    }
    System.out.printf("load average: start %s, end %s%n", loadAtStart, loadAverage());
    bench.finish();
  }

  /** The apps, deployments and routes of one maxWaitMs. */
  private record Setup(int maxWaitMs) {
    String pipelineApp() {
      return "pipe-w" + maxWaitMs;
    }

    String directApp() {
      return "direct-w" + maxWaitMs;
    }

    String dep(String step) {
      return "bench-" + step + "-w" + maxWaitMs;
    }

    List<String> deployments() {
      return List.of(dep("a"), dep("b"), dep("c"), dep("d"));
    }

    List<NewTopic> topics() {
      List<NewTopic> out = new ArrayList<>();
      for (String app : List.of(pipelineApp(), directApp())) {
        out.add(new NewTopic(Topics.requests(app), 2, (short) 1));
        out.add(new NewTopic(Topics.responses(app), 1, (short) 1));
      }
      for (String d : deployments()) {
        out.add(new NewTopic(Topics.batches(d), 1, (short) 1));
      }
      return out;
    }

    List<RouteConfig> routes() {
      BatchingSettings b =
          BatchingSettings.newBuilder()
              .setMaxBatchSize(BATCH_SIZE)
              .setMaxWaitMs(maxWaitMs)
              .setMaxBatchTokens(null)
              .build();
      RouteConfig pipe =
          route(
              pipelineApp(),
              Variant.newBuilder().setName("v1").setDeployment("").setPipeline("p").build(),
              Map.of(dep("a"), b, dep("b"), b, dep("c"), b));
      pipe.setPipelines(
          Map.of(
              "p",
              """
              {"steps": {
                 "a": {"deployment": "%s"},
                 "b": {"deployment": "%s", "input": {"text": "$/steps/a/text"}},
                 "c": {"deployment": "%s", "input": {"text": "$/steps/a/text"}}},
               "output": {"b": "$/steps/b", "c": "$/steps/c"}}
              """
                  .formatted(dep("a"), dep("b"), dep("c"))));
      RouteConfig direct =
          route(
              directApp(),
              Variant.newBuilder().setName("v1").setDeployment(dep("d")).build(),
              Map.of(dep("d"), b));
      return List.of(pipe, direct);
    }

    private static RouteConfig route(String app, Variant v, Map<String, BatchingSettings> b) {
      return RouteConfig.newBuilder()
          .setApp(app)
          .setVariants(List.of(v))
          .setShadows(List.of())
          .setBatching(b)
          .setSalt("salt-" + app)
          .setUpdatedAtMs(Instant.now())
          .build();
    }
  }

  /** One round's percentiles (ms). */
  private record Stats(
      boolean pipeline,
      int rate,
      int sent,
      int answered,
      int errors,
      double loadEnd,
      Map<String, double[]> p) {
    String key() {
      return (pipeline ? "pipeline" : "direct") + "@" + rate;
    }

    String line() {
      StringBuilder sb =
          new StringBuilder(
              String.format(
                  "%-8s %3d req/s: %d sent, %d answered, %d errors, load %.2f;",
                  pipeline ? "pipeline" : "direct", rate, sent, answered, errors, loadEnd));
      p.forEach((k, v) -> sb.append(String.format(" %s p50 %.1f p99 %.1f;", k, v[0], v[1])));
      return sb.toString();
    }
  }

  @SuppressWarnings("FutureReturnValueIgnored") // false positive: the callback flags failures
  private static Stats round(
      String bootstrap,
      KafkaProducer<String, Object> producer,
      Setup s,
      boolean pipeline,
      int rate,
      int seconds,
      int round)
      throws Exception {
    String app = pipeline ? s.pipelineApp() : s.directApp();
    int n = rate * seconds;
    // Unique over apps too: the router keys a pipeline run by request id alone, and a finished
    // run's marker swallows a later start with the same id (of any app) for two minutes.
    String prefix = app + "-r" + round + "-" + rate + "-";
    Map<String, long[]> intended = new ConcurrentHashMap<>(); // id -> {nanos, epoch ms}
    Map<String, Histogram> h = new LinkedHashMap<>();
    for (String k :
        pipeline
            ? List.of(
                "e2e", "overhead/step", "router hop", "to worker", "from worker", "start", "end")
            : List.of("e2e")) {
      h.put(k, new Histogram(3_600_000_000L, 3));
    }
    int answered = 0;
    int errors = 0;
    try (KafkaConsumer<String, InferenceResponse> answers = answerConsumer(bootstrap)) {
      // Assigned, not subscribed: no group join (and its initial rebalance delay) per round.
      answers.assign(List.of(new TopicPartition(Topics.responses(app), 0)));
      answers.seekToEnd(answers.assignment());
      answers.assignment().forEach(answers::position);
      AtomicBoolean failed = new AtomicBoolean();
      Thread sender =
          new Thread(
              () -> {
                long start = System.nanoTime();
                long startMs = System.currentTimeMillis();
                for (int k = 0; k < n; k++) {
                  long dueNs = start + k * 1_000_000_000L / rate;
                  long wait = dueNs - System.nanoTime();
                  if (wait > 0) {
                    LockSupport.parkNanos(wait);
                  }
                  String id = prefix + k;
                  intended.put(id, new long[] {dueNs, startMs + (dueNs - start) / 1_000_000});
                  InferenceRequest req =
                      InferenceRequest.newBuilder()
                          .setRequestId(id)
                          .setApp(app)
                          .setInput(
                              JsonInput.newBuilder()
                                  .setJson("{\"text\":\"benchmark input " + k + "\"}")
                                  .build())
                          .setCreatedAtMs(Instant.now())
                          .build();
                  producer.send(
                      new ProducerRecord<>(Topics.requests(app), id, req),
                      (md, e) -> {
                        if (e != null) {
                          failed.set(true);
                        }
                      });
                }
              },
              "bench-sender");
      sender.start();
      long deadline = 0;
      while (answered + errors < n) {
        for (ConsumerRecord<String, InferenceResponse> rec : answers.poll(Duration.ofMillis(1))) {
          long nowNs = System.nanoTime();
          long nowMs = System.currentTimeMillis();
          InferenceResponse a = rec.value();
          long[] t = intended.get(a.getRequestId());
          if (t == null) {
            continue; // another round's straggler
          }
          if (a.getStatus() != ResponseStatus.OK) {
            errors++;
            continue;
          }
          answered++;
          double e2e = (nowNs - t[0]) / 1e6;
          record(h.get("e2e"), e2e);
          if (pipeline) {
            Map<String, StepReport> st = new HashMap<>();
            a.getSteps().forEach(r -> st.put(r.getName(), r));
            StepReport sa = st.get("a");
            StepReport sb = st.get("b");
            StepReport sc = st.get("c");
            StepReport last = sb.getAnsweredAtMs() >= sc.getAnsweredAtMs() ? sb : sc;
            long critical = own(sa) + own(last);
            record(h.get("overhead/step"), (nowMs - t[1] - critical) / 2.0);
            record(h.get("router hop"), sb.getSentAtMs() - sa.getAnsweredAtMs());
            for (StepReport r : List.of(sa, last)) {
              record(h.get("to worker"), r.getStartedAtMs() - r.getSentAtMs());
              record(h.get("from worker"), r.getAnsweredAtMs() - r.getFinishedAtMs());
            }
            record(h.get("start"), sa.getSentAtMs() - t[1]);
            record(h.get("end"), nowMs - last.getAnsweredAtMs());
          }
        }
        if (!sender.isAlive()) {
          if (deadline == 0) {
            deadline = System.nanoTime() + DRAIN.toNanos();
          } else if (System.nanoTime() > deadline) {
            break;
          }
        }
      }
      sender.join();
      if (failed.get()) {
        throw new IllegalStateException("a request send failed: the round is not valid");
      }
    }
    // Every figure but e2e is made of the steps' epoch-ms timestamps: whole ms (overhead/step:
    // half ms). Their p50 is the grouped median on that grid (Percentiles.groupedMedian), so that a
    // median near a grid boundary does not read a whole step apart from one run to the next.
    Map<String, double[]> p = new LinkedHashMap<>();
    h.forEach(
        (k, v) ->
            p.put(
                k,
                new double[] {
                  (k.equals("e2e")
                          ? v.getValueAtPercentile(50)
                          : Percentiles.groupedMedian(v, k.equals("overhead/step") ? 500 : 1000))
                      / 1000.0,
                  v.getValueAtPercentile(99) / 1000.0
                }));
    return new Stats(
        pipeline,
        rate,
        n,
        answered,
        errors,
        Double.parseDouble(loadAverage()),
        Collections.unmodifiableMap(p));
  }

  private static long own(StepReport r) {
    return r.getAnsweredAtMs() - r.getSentAtMs();
  }

  /** Records a whole number of ms (epoch-ms timestamps) as µs. */
  private static void record(Histogram h, long ms) {
    h.recordValue(Math.max(0, ms * 1000));
  }

  /** Records a value in ms as µs; negative clock skews (ms clocks) count as 0. */
  private static void record(Histogram h, double ms) {
    h.recordValue(Math.max(0, Math.round(ms * 1000)));
  }

  private static void summarise(int maxWaitMs, List<Integer> rates, Map<String, List<Stats>> r) {
    System.out.printf("maxWaitMs %d, medians over the measured rounds:%n", maxWaitMs);
    for (int rate : rates) {
      List<Stats> pipe = r.getOrDefault("pipeline@" + rate, List.of());
      List<Stats> direct = r.getOrDefault("direct@" + rate, List.of());
      if (pipe.isEmpty() || direct.isEmpty()) {
        continue;
      }
      StringBuilder sb = new StringBuilder(String.format("  %3d req/s:", rate));
      for (String k : pipe.get(0).p().keySet()) {
        sb.append(
            String.format(
                " pipeline %s p50 %.1f p99 %.1f;", k, median(pipe, k, 0), median(pipe, k, 1)));
      }
      double d50 = median(direct, "e2e", 0);
      double p50 = median(pipe, "e2e", 0);
      sb.append(
          String.format(
              " direct e2e p50 %.1f p99 %.1f; pipeline/direct p50 %.2f; (pipeline - 2 x direct)/2"
                  + " p50 %.1f",
              d50, median(direct, "e2e", 1), p50 / d50, (p50 - 2 * d50) / 2));
      System.out.println(sb);
    }
  }

  private static double median(List<Stats> rounds, String key, int i) {
    List<Double> v = new ArrayList<>();
    rounds.forEach(s -> v.add(s.p().get(key)[i]));
    Collections.sort(v);
    return v.size() % 2 == 1
        ? v.get(v.size() / 2)
        : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
  }

  /** Requests each worker answered since the last call: shows a stalled deployment. */
  private static String served(List<StepWorker> workers) {
    StringBuilder sb = new StringBuilder();
    for (StepWorker w : workers) {
      long n = w.served.getAndSet(0);
      if (n > 0) {
        sb.append(w.deployment).append('=').append(n).append(' ');
      }
    }
    return sb.toString().trim();
  }

  /** A no-op worker: answers each request of each batch at once, on its own thread. */
  private static final class StepWorker implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final String deployment;
    private final Thread thread;

    StepWorker(String bootstrap, String deployment) {
      this.deployment = deployment;
      Properties c = new Properties();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(ConsumerConfig.GROUP_ID_CONFIG, "sluice.fn." + deployment);
      c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      KafkaConsumer<String, InferenceBatch> consumer =
          new KafkaConsumer<>(
              c,
              new StringDeserializer(),
              AvroSerde.of(InferenceBatch.class, SerdeConfig.of(URL), false).deserializer());
      KafkaProducer<String, Object> producer = producer(bootstrap);
      consumer.subscribe(List.of(Topics.batches(deployment)));
      thread =
          new Thread(
              () -> {
                try (consumer;
                    producer) {
                  while (running.get()) {
                    for (ConsumerRecord<String, InferenceBatch> rec :
                        consumer.poll(Duration.ofMillis(100))) {
                      for (InferenceRequest r : rec.value().getRequests()) {
                        answer(producer, deployment, r);
                        served.incrementAndGet();
                      }
                    }
                  }
                }
              },
              "bench-worker-" + deployment);
      thread.setDaemon(true);
      thread.start();
    }

    @SuppressWarnings("FutureReturnValueIgnored") // false positive: the callback counts failures
    private void answer(
        KafkaProducer<String, Object> producer, String deployment, InferenceRequest r) {
      long now = System.currentTimeMillis();
      InferenceResponse reply =
          InferenceResponse.newBuilder()
              .setRequestId(r.getRequestId())
              .setApp(r.getApp())
              .setDeployment(deployment)
              .setStatus(ResponseStatus.OK)
              .setOutput(JsonOutput.newBuilder().setJson("{\"text\":\"ok\"}").build())
              .setTimings(Timings.newBuilder(Replies.timings(r, now)).setStartedAtMs(now).build())
              .build();
      RecordHeaders h = new RecordHeaders();
      SluiceHeaders.put(h, SluiceHeaders.REQUEST_ID, r.getRequestId());
      producer.send(
          new ProducerRecord<>(
              Replies.topicFor(r), Replies.partitionFor(r), r.getRequestId(), reply, h),
          (md, e) -> {
            if (e != null) {
              failed.incrementAndGet();
            }
          });
    }

    @Override
    public void close() {
      running.set(false);
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failed.get() > 0) {
        System.out.println(failed.get() + " worker replies failed: the figures are not valid");
      }
    }
  }

  /** Avro values of any generated type, no linger: the client side adds no wait of its own. */
  private static KafkaProducer<String, Object> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new AnyAvro());
  }

  private static KafkaConsumer<String, InferenceResponse> answerConsumer(String bootstrap) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-client-" + System.nanoTime());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    return new KafkaConsumer<>(
        c,
        new StringDeserializer(),
        AvroSerde.of(InferenceResponse.class, SerdeConfig.of(URL), false).deserializer());
  }

  /** Serialises InferenceRequest, InferenceResponse and RouteConfig values. */
  private static final class AnyAvro
      implements org.apache.kafka.common.serialization.Serializer<Object> {
    private final org.apache.kafka.common.serialization.Serializer<InferenceRequest> requests =
        AvroSerde.of(InferenceRequest.class, SerdeConfig.of(URL), false).serializer();
    private final org.apache.kafka.common.serialization.Serializer<InferenceResponse> responses =
        AvroSerde.of(InferenceResponse.class, SerdeConfig.of(URL), false).serializer();
    private final org.apache.kafka.common.serialization.Serializer<RouteConfig> routes =
        AvroSerde.of(RouteConfig.class, SerdeConfig.of(URL), false).serializer();

    @Override
    public byte[] serialize(String topic, Object data) {
      if (data instanceof InferenceRequest r) {
        return requests.serialize(topic, r);
      }
      if (data instanceof InferenceResponse r) {
        return responses.serialize(topic, r);
      }
      if (data instanceof RouteConfig r) {
        return routes.serialize(topic, r);
      }
      throw new IllegalArgumentException("not a Sluice record: " + data);
    }
  }

  private static List<Integer> ints(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",", -1)) {
      out.add(Integer.parseInt(s.trim()));
    }
    return out;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "0";
    }
  }
}
