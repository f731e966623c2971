package io.sluice.loadtest.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.config.SluiceConfig;
import io.sluice.common.ops.Metrics;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.loadtest.bench.BenchResults;
import io.sluice.loadtest.bench.JitWarmup;
import io.sluice.loadtest.report.Percentiles;
import io.sluice.router.RouterApp;
import io.sluice.router.RouterConfig;
import io.sluice.router.cli.RoutesCommand;
import io.sluice.router.route.RouteFiles;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.Records;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Router throughput as a ratio to a bytes-only Kafka Streams pass-through (source, forwarding
 * processor, sink) on the same in-JVM broker, the same number of partitions and the same record
 * bytes, in the same run, under at-least-once and under {@code exactly_once_v2}; then the router's
 * stage latency for bursts of 200 requests into an idle router. Baseline and router share every
 * setting (commit interval, {@code max.poll.records}, producer {@code linger.ms}). Each is timed
 * from its first record in to its last record acknowledged by the broker (under exactly-once:
 * committed, no transaction open). Every round runs pass-through and router one after the other on
 * fresh topics (at-least-once pair, exactly-once pair, then a two-hop pass-through through a
 * repartition topic, for context: the router's own shape), so the ratios are per round; the first
 * round is a JIT warm-up left out of the medians. While a subject runs, the main thread polls every
 * millisecond rather than spinning: on a 2-core machine a spinning observer takes a core from the
 * stream thread.
 *
 * <p>{@code java -cp ... io.sluice.loadtest.router.RouterBenchmark [records] [maxBatchSize]
 * [rounds] [bursts] [burst warm-up cap, s]}; with {@code -Dbench.out=file.json} the per-round
 * figures are written for {@code load-tests/bench.sh}.
 */
public final class RouterBenchmark {
  private static final int PARTITIONS = 4;
  private static final long COMMIT_INTERVAL_MS = 1000;
  private static final long EOS_COMMIT_INTERVAL_MS = 100; // Kafka Streams' exactly-once default
  private static final int MAX_POLL_RECORDS = 1000; // the Kafka Streams default
  // The router's default producer linger.ms; the pass-throughs use the same.
  private static final int LINGER_MS = io.sluice.router.RouterApp.DEFAULT_PRODUCER_LINGER_MS;
  private static final int BURST = 200;
  private static final int BURST_BATCH = 32;
  private static final int BURST_WAIT_MS = 5; // the dev stack's sentiment deployment
  private static final String ALOS = StreamsConfig.AT_LEAST_ONCE;
  private static final String EOS = StreamsConfig.EXACTLY_ONCE_V2;
  private static final List<String> KINDS =
      List.of("streams-alos", "router-alos", "streams-eos", "router-eos", "streams-two-hop");

  private RouterBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int bursts = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    int burstWarmupCap = args.length > 4 ? Integer.parseInt(args[4]) : 60;
    String url = "mock://router-bench";
    BenchResults results =
        new BenchResults(
            "router",
            String.format(
                java.util.Locale.ROOT,
                "%d records/round, %d partitions, maxBatchSize %d, %d rounds (+1 warm-up);"
                    + " bursts of %d into maxBatchSize %d maxWaitMs %d, %d bursts after the"
                    + " first and a warm-up until the JIT is quiet",
                n,
                PARTITIONS,
                batchSize,
                rounds - 1,
                BURST,
                BURST_BATCH,
                BURST_WAIT_MS,
                bursts));
    results
        .goal(
            "router-alos",
            "Router throughput, at-least-once",
            "bytes-only Kafka Streams pass-through, at-least-once",
            "ratio",
            ">=",
            0.9,
            "0.9",
            "records/s")
        .goal(
            "router-eos",
            "Router throughput, exactly_once_v2",
            "bytes-only Kafka Streams pass-through, exactly_once_v2",
            "ratio",
            ">=",
            0.8,
            "0.8",
            "records/s")
        .goal(
            "router-two-hop",
            "Router throughput, at-least-once, vs a two-hop pass-through (context, no goal)",
            "bytes-only Kafka Streams source -> repartition -> sink, at-least-once",
            "ratio",
            ">=",
            0,
            "none",
            "records/s")
        .goal(
            "router-burst-cold-p50",
            "Router stage latency p50, first "
                + BURST
                + "-request burst after the router started (context, no goal: JIT and clients"
                + " cold)",
            "the measured bursts' p50 (median), once the JIT is quiet",
            "ms",
            "<=",
            0,
            "none",
            "ms")
        .goal(
            "router-burst-p50",
            "Router stage latency p50, " + BURST + "-request burst into an idle router",
            "maxWaitMs " + BURST_WAIT_MS + " + 5 ms",
            "ms",
            "<=",
            BURST_WAIT_MS + 5,
            (BURST_WAIT_MS + 5) + " ms",
            "ms")
        .goal(
            "router-burst-p99",
            "Router stage latency p99, " + BURST + "-request burst into an idle router",
            "maxWaitMs " + BURST_WAIT_MS + " + 20 ms",
            "ms",
            "<=",
            BURST_WAIT_MS + 20,
            (BURST_WAIT_MS + 20) + " ms",
            "ms");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
      String bootstrap = broker.bootstrapServers();
      var connection =
          ConfigLoader.load(
              RouterConfig.connection(),
              null,
              Map.of(),
              Map.of(
                  RouterConfig.BOOTSTRAP_SERVERS,
                  bootstrap,
                  RouterConfig.SCHEMA_REGISTRY_URL,
                  url));
      byte[] value = null;
      // One producer for all the input (not timed): short-lived idempotent producers in a row
      // have tripped the embedded broker's sequence checks.
      Properties seed = producerProps(bootstrap);
      seed.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(seed, new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int r = 0; r < rounds; r++) {
          for (String kind : KINDS) {
            String in = input(kind, r);
            broker.createTopics(new NewTopic(in, PARTITIONS, (short) 1));
            if (kind.startsWith("streams")) {
              broker.createTopics(new NewTopic(output(kind, r), PARTITIONS, (short) 1));
              continue;
            }
            String app = app(kind, r);
            String deployment = app + "-dep";
            broker.createTopics(new NewTopic(Topics.batches(deployment), PARTITIONS, (short) 1));
            publishRoute(connection, app, deployment, batchSize, 10);
          }
          // Each router's requests name its own app, as a client's (the bridge's) do: the intake
          // reuses a request's bytes only when it changes no field but its own. A pass-through
          // gets the bytes of its guarantee's router, so both move records of the same size.
          var serializer =
              AvroSerde.of(InferenceRequest.class, SerdeConfig.of(url), false).serializer();
          Map<String, byte[]> values = new java.util.HashMap<>();
          for (String guarantee : List.of("alos", "eos")) {
            String app = app("router-" + guarantee, r);
            values.put(guarantee, serializer.serialize(Topics.requests(app), request(app)));
          }
          for (String kind : KINDS) {
            value = values.get(kind.endsWith("eos") ? "eos" : "alos");
            produce(producer, input(kind, r), value, n);
          }
        }
      }
      System.out.printf(
          "%d records of %d bytes on %d partitions per round, %d rounds (round 1 = warm-up),"
              + " commit every %d ms (exactly-once: %d ms), linger.ms %d, %d cores%n",
          n,
          value == null ? 0 : value.length,
          PARTITIONS,
          rounds,
          COMMIT_INTERVAL_MS,
          EOS_COMMIT_INTERVAL_MS,
          LINGER_MS,
          Runtime.getRuntime().availableProcessors());
      for (int r = 0; r < rounds; r++) {
        double streamsAlos = streamsPipe(bootstrap, "streams-alos", r, n, ALOS, false);
        double routerAlos = router(bootstrap, url, "router-alos", r, n, ALOS);
        double streamsEos = streamsPipe(bootstrap, "streams-eos", r, n, EOS, false);
        double routerEos = router(bootstrap, url, "router-eos", r, n, EOS);
        double twoHop = streamsPipe(bootstrap, "streams-two-hop", r, n, ALOS, true);
        System.out.printf(
            java.util.Locale.ROOT,
            "round %d%s: at-least-once: pass-through %,.0f rec/s, router %,.0f req/s (%.2f);"
                + " exactly_once_v2: pass-through %,.0f rec/s, router %,.0f req/s (%.2f);"
                + " two-hop pass-through %,.0f rec/s (router %.2f of it); load %.2f%n",
            r + 1,
            r == 0 ? " (warm-up)" : "",
            streamsAlos,
            routerAlos,
            routerAlos / streamsAlos,
            streamsEos,
            routerEos,
            routerEos / streamsEos,
            twoHop,
            routerAlos / twoHop,
            BenchResults.loadAverage());
        if (r > 0) {
          results.round("router-alos", routerAlos / streamsAlos, streamsAlos, routerAlos);
          results.round("router-eos", routerEos / streamsEos, streamsEos, routerEos);
          results.round("router-two-hop", routerAlos / twoHop, twoHop, routerAlos);
        }
      }
      burst(broker, connection, bootstrap, url, bursts, burstWarmupCap, results);
    }
    results.finish();
  }

  private static void publishRoute(
      SluiceConfig connection, String app, String deployment, int batchSize, int maxWaitMs)
      throws Exception {
    RoutesCommand.publish(
        connection,
        RouteFiles.parse(
            "app: "
                + app
                + "\nvariants: [{deployment: "
                + deployment
                + "}]\nbatching: {"
                + deployment
                + ": {maxBatchSize: "
                + batchSize
                + ", maxWaitMs: "
                + maxWaitMs
                + "}}\n",
            0));
  }

  private static String app(String kind, int round) {
    return "bench-" + kind + round;
  }

  private static String input(String kind, int round) {
    return kind.startsWith("streams")
        ? "bench." + kind + ".in" + round
        : Topics.requests(app(kind, round));
  }

  private static String output(String kind, int round) {
    return "bench." + kind + ".out" + round;
  }

  private static InferenceRequest request(String app) {
    return Records.chat(
            app, "r-000000000", "Summarise the following paragraph in one sentence, please.")
        .build();
  }

  private static Properties producerProps(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return p;
  }

  /** Seeds n records; a refused one stops the benchmark (it would wait for it forever). */
  @SuppressWarnings("FutureReturnValueIgnored") // false positive: the callback keeps the failure
  private static void produce(
      KafkaProducer<byte[], byte[]> producer, String topic, byte[] value, int n) {
    AtomicReference<Exception> failed = new AtomicReference<>();
    for (int i = 0; i < n; i++) {
      producer.send(
          new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), value),
          (md, e) -> {
            if (e != null) {
              failed.compareAndSet(null, e);
            }
          });
    }
    producer.flush();
    if (failed.get() != null) {
      throw new IllegalStateException("seeding " + topic + " failed", failed.get());
    }
  }

  /**
   * A Kafka Streams topology that forwards the bytes unchanged (source, counting processor, sink;
   * with {@code twoHop} through a repartition topic first, as the router does) with the router's
   * settings: the baseline.
   */
  private static double streamsPipe(
      String bootstrap, String kind, int round, int n, String guarantee, boolean twoHop)
      throws Exception {
    AtomicLong first = new AtomicLong();
    AtomicLong count = new AtomicLong();
    Topology topology = new Topology();
    topology.addSource(
        "in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), input(kind, round));
    String parent = "in";
    if (twoHop) {
      String through = "bench-" + kind + round + "-through";
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic(through, PARTITIONS, (short) 1))).all().get();
      }
      topology.addSink(
          "to-through", through, new ByteArraySerializer(), new ByteArraySerializer(), "in");
      topology.addSource(
          "from-through", new ByteArrayDeserializer(), new ByteArrayDeserializer(), through);
      parent = "from-through";
    }
    topology.addProcessor(
        "count",
        () ->
            new Processor<byte[], byte[], byte[], byte[]>() {
              private ProcessorContext<byte[], byte[]> context;

              @Override
              public void init(ProcessorContext<byte[], byte[]> context) {
                this.context = context;
              }

              @Override
              public void process(Record<byte[], byte[]> record) {
                first.compareAndSet(0, System.nanoTime());
                context.forward(record);
                count.incrementAndGet();
              }
            },
        parent);
    topology.addSink(
        "out", output(kind, round), new ByteArraySerializer(), new ByteArraySerializer(), "count");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + kind + round);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-streams").toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval(guarantee));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), LINGER_MS);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), MAX_POLL_RECORDS);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    long start;
    try (KafkaStreams streams = new KafkaStreams(topology, p)) {
      streams.start();
      while (count.get() < n) {
        LockSupport.parkNanos(1_000_000);
      }
      start = first.get(); // two-hop: after the first hop, a few ms late in a multi-second run
      awaitWritten(bootstrap, output(kind, round), n, guarantee);
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static long commitInterval(String guarantee) {
    return EOS.equals(guarantee) ? EOS_COMMIT_INTERVAL_MS : COMMIT_INTERVAL_MS;
  }

  /**
   * Waits until {@code topic} holds at least {@code records} offsets and, under exactly-once, no
   * transaction is open on it (its last stable offsets equal its end offsets).
   */
  private static void awaitWritten(String bootstrap, String topic, long records, String guarantee) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (int i = 0; i < PARTITIONS; i++) {
      partitions.add(new TopicPartition(topic, i));
    }
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    Properties rc = new Properties();
    rc.putAll(c);
    rc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> end =
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaConsumer<byte[], byte[]> stable =
            new KafkaConsumer<>(rc, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      while (true) {
        Map<TopicPartition, Long> leo = end.endOffsets(partitions);
        if (leo.values().stream().mapToLong(Long::longValue).sum() >= records
            && (!EOS.equals(guarantee) || stable.endOffsets(partitions).equals(leo))) {
          return;
        }
        LockSupport.parkNanos(1_000_000);
      }
    }
  }

  /**
   * Runs a fresh router on this round's app until the batches of all n requests are acknowledged by
   * the broker (the end offsets of the batch topic count them; under exactly-once, committed).
   */
  private static double router(
      String bootstrap, String url, String kind, int round, int n, String guarantee)
      throws Exception {
    PrometheusMeterRegistry registry = Metrics.newRegistry("router");
    String app = app(kind, round);
    try (RouterApp router = startRouter(bootstrap, url, app, guarantee, registry)) {
      Counter in = null;
      while (in == null || in.count() == 0) {
        in = registry.find("sluice.router.requests").counter();
        LockSupport.parkNanos(1_000_000);
      }
      long start = System.nanoTime();
      DistributionSummary out = null;
      while (out == null || out.totalAmount() < n) {
        out = registry.find("sluice.router.batch.size").summary();
        LockSupport.parkNanos(1_000_000);
      }
      awaitWritten(bootstrap, Topics.batches(app + "-dep"), out.count(), guarantee);
      double rate = n / ((System.nanoTime() - start) / 1e9);
      if (router.state() != KafkaStreams.State.RUNNING) {
        System.out.println("router state at the end: " + router.state());
      }
      return rate;
    }
  }

  /**
   * The settings given, plus those of system property {@code bench.router} ({@code
   * key=value,key=value}, e.g. {@code sluice.router.streams.producer.linger.ms=0}) to try a change.
   */
  private static Map<String, String> withOverrides(String... keyValues) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    String extra = System.getProperty("bench.router", "");
    for (String kv : extra.split(",", -1)) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
    }
    return m;
  }

  private static RouterApp startRouter(
      String bootstrap, String url, String app, String guarantee, PrometheusMeterRegistry registry)
      throws java.io.IOException {
    Path stateDir = Files.createTempDirectory("router-bench-state");
    var config =
        ConfigLoader.load(
            RouterConfig.definition(),
            null,
            Map.of(),
            withOverrides(
                RouterConfig.BOOTSTRAP_SERVERS,
                bootstrap,
                RouterConfig.SCHEMA_REGISTRY_URL,
                url,
                RouterConfig.APPLICATION_ID,
                "bench-router-" + app,
                RouterConfig.STATE_DIR,
                stateDir.toString(),
                RouterConfig.PROCESSING_GUARANTEE,
                guarantee,
                RouterConfig.REQUEST_TOPIC_PATTERN,
                java.util.regex.Pattern.quote(Topics.requests(app)),
                RouterConfig.COMMIT_INTERVAL_MS,
                Long.toString(commitInterval(guarantee)),
                RouterConfig.STREAMS_PREFIX + "producer.linger.ms",
                Integer.toString(LINGER_MS),
                RouterConfig.STREAMS_PREFIX + "consumer.max.poll.records",
                Integer.toString(MAX_POLL_RECORDS)));
    return RouterApp.start(RouterConfig.from(config), registry, false);
  }

  /**
   * Router stage latency: bursts of {@value #BURST} requests produced at once into an idle router
   * (its defaults, at-least-once), from each request's creation to its batch's arrival at a
   * consumer of the deployment topic, each after 1 s idle. The first burst after the router started
   * is reported apart (cold: JIT, fetch sessions); then bursts go on until the JIT has settled on
   * the burst path ({@link JitWarmup}, at most {@code warmupCapSeconds}), and {@code bursts}
   * measured ones follow: a router that has been up for a while, gone idle.
   */
  private static void burst(
      EmbeddedKafkaBroker broker,
      SluiceConfig connection,
      String bootstrap,
      String url,
      int bursts,
      int warmupCapSeconds,
      BenchResults results)
      throws Exception {
    String app = "bench-burst";
    String deployment = app + "-dep";
    broker.createTopics(
        new NewTopic(Topics.requests(app), PARTITIONS, (short) 1),
        new NewTopic(Topics.batches(deployment), PARTITIONS, (short) 1));
    publishRoute(connection, app, deployment, BURST_BATCH, BURST_WAIT_MS);
    var serializer = AvroSerde.of(InferenceRequest.class, SerdeConfig.of(url), false).serializer();
    var batches = AvroSerde.of(InferenceBatch.class, SerdeConfig.of(url), false).deserializer();
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    Properties pp = producerProps(bootstrap);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    Path stateDir = Files.createTempDirectory("router-bench-burst");
    var config =
        ConfigLoader.load(
            RouterConfig.definition(),
            null,
            Map.of(),
            withOverrides(
                RouterConfig.BOOTSTRAP_SERVERS,
                bootstrap,
                RouterConfig.SCHEMA_REGISTRY_URL,
                url,
                RouterConfig.APPLICATION_ID,
                "bench-router-burst",
                RouterConfig.STATE_DIR,
                stateDir.toString(),
                RouterConfig.REQUEST_TOPIC_PATTERN,
                java.util.regex.Pattern.quote(Topics.requests(app))));
    PrometheusMeterRegistry registry = Metrics.newRegistry("router");
    List<TopicPartition> partitions = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new TopicPartition(Topics.batches(deployment), p));
    }
    try (RouterApp router = RouterApp.start(RouterConfig.from(config), registry, false);
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      while (router.state() != KafkaStreams.State.RUNNING) {
        LockSupport.parkNanos(10_000_000);
      }
      Bursts run = new Bursts(app, serializer, batches, producer, consumer);
      // The first burst into a router that has just started: JIT and clients cold. Shown, no goal.
      double[] cold = run.burst("first after start");
      // Then bursts until the JIT has settled on the burst path (JitWarmup), as in a router that
      // has been up for a while; the goals are measured after that.
      JitWarmup.untilQuiet("bursts", () -> run.burst("warm-up"), warmupCapSeconds);
      List<Double> warmP50s = new ArrayList<>();
      for (int b = 1; b <= bursts; b++) {
        double[] f = run.burst(b + " of " + bursts);
        warmP50s.add(f[0]);
        results.round("router-burst-p50", f[0], BURST_WAIT_MS + 5, f[0]);
        results.round("router-burst-p99", f[1], BURST_WAIT_MS + 20, f[1]);
      }
      results.round("router-burst-cold-p50", cold[0], BenchResults.median(warmP50s), cold[0]);
    }
  }

  /** One burst at a time into the burst router; see {@link #burst}. */
  private static final class Bursts {
    private final String app;
    private final org.apache.kafka.common.serialization.Serializer<InferenceRequest> serializer;
    private final org.apache.kafka.common.serialization.Deserializer<InferenceBatch> batches;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private int seq;

    Bursts(
        String app,
        org.apache.kafka.common.serialization.Serializer<InferenceRequest> serializer,
        org.apache.kafka.common.serialization.Deserializer<InferenceBatch> batches,
        KafkaProducer<byte[], byte[]> producer,
        KafkaConsumer<byte[], byte[]> consumer) {
      this.app = app;
      this.serializer = serializer;
      this.batches = batches;
      this.producer = producer;
      this.consumer = consumer;
    }

    /** After 1 s idle, one burst of {@value #BURST}; prints where its time went; {p50, p99} ms. */
    double[] burst(String label) throws Exception {
      Thread.sleep(1000); // idle: nothing buffered, every thread waiting in poll
      org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(60_000, 3);
      // Where a burst's time goes: created -> routed (intake), routed -> flushed (the repartition
      // hop, the batcher and its wait), flushed -> consumed (the batch topic hop). The hop alone:
      // routed -> buffered, of each batch's first request (the batch says when it entered).
      org.HdrHistogram.Histogram toRouted = new org.HdrHistogram.Histogram(60_000, 3);
      org.HdrHistogram.Histogram hop = new org.HdrHistogram.Histogram(60_000, 3);
      org.HdrHistogram.Histogram toFlushed = new org.HdrHistogram.Histogram(60_000, 3);
      org.HdrHistogram.Histogram toConsumed = new org.HdrHistogram.Histogram(60_000, 3);
      for (int i = 0; i < BURST; i++) {
        InferenceRequest r = request(app);
        r.setRequestId("burst-" + seq++);
        r.setCreatedAtMs(java.time.Instant.ofEpochMilli(System.currentTimeMillis()));
        var unused =
            producer.send(
                new ProducerRecord<>(
                    Topics.requests(app),
                    r.getRequestId().getBytes(StandardCharsets.UTF_8),
                    serializer.serialize(Topics.requests(app), r)));
      }
      producer.flush();
      int seen = 0;
      long until = System.nanoTime() + 60_000_000_000L;
      while (seen < BURST && System.nanoTime() < until) {
        for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(50))) {
          long now = System.currentTimeMillis();
          InferenceBatch batch = batches.deserialize(rec.topic(), rec.value());
          long flushed = batch.getFlushedAtMs().toEpochMilli();
          InferenceRequest first = batch.getRequests().get(0);
          if (first.getRoutedAtMs() != null) {
            long buffered = batch.getFirstArrivalMs().toEpochMilli();
            hop.recordValue(Math.max(0, buffered - first.getRoutedAtMs().toEpochMilli()));
          }
          for (InferenceRequest r : batch.getRequests()) {
            long created = r.getCreatedAtMs().toEpochMilli();
            long routed = r.getRoutedAtMs() == null ? created : r.getRoutedAtMs().toEpochMilli();
            h.recordValue(Math.max(0, now - created));
            toRouted.recordValue(Math.max(0, routed - created));
            toFlushed.recordValue(Math.max(0, flushed - routed));
            toConsumed.recordValue(Math.max(0, now - flushed));
            seen++;
          }
        }
      }
      if (seen < BURST) {
        throw new IllegalStateException(
            "burst (" + label + "): " + seen + " of " + BURST + " batched");
      }
      // Whole ms (epoch-ms clocks): the p50 is the grouped median on that grid, see Percentiles.
      double p50 = Percentiles.groupedMedian(h, 1);
      System.out.printf(
          java.util.Locale.ROOT,
          "burst (%s): created -> batch consumed p50 %.1f ms, p99 %d ms, max %d ms"
              + " (p50 created -> routed %d (min %d), routed -> flushed %d (of which the"
              + " repartition hop, per batch, %d), flushed -> consumed %d);"
              + " load %.2f%n",
          label,
          p50,
          h.getValueAtPercentile(99),
          h.getMaxValue(),
          toRouted.getValueAtPercentile(50),
          toRouted.getMinValue(),
          toFlushed.getValueAtPercentile(50),
          hop.getValueAtPercentile(50),
          toConsumed.getValueAtPercentile(50),
          BenchResults.loadAverage());
      return new double[] {p50, h.getValueAtPercentile(99)};
    }
  }
}
