package io.sluice.loadtest.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.avro.InferenceRequest;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.ops.Metrics;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
 * Router throughput as a ratio to a plain consume-and-produce pipe on the same in-JVM broker, the
 * same number of partitions and the same record bytes, in the same run. Both are at-least-once and
 * commit on the same interval (the pipe flushes its producer, then commits, every {@code
 * commit.interval.ms}, as Kafka Streams does), read with the same {@code max.poll.records} and
 * produce with the same {@code linger.ms}. Each is timed from its first record in to its last
 * record acknowledged by the broker, one after the other so they do not share the CPU; the rounds
 * alternate pipe and router on fresh topics, and the first round is a JIT warm-up left out of the
 * median. While the router runs, the main thread polls every millisecond rather than spinning: on a
 * 2-core machine a spinning observer takes a core from the stream thread.
 *
 * <p>{@code java -cp ... io.sluice.loadtest.router.RouterBenchmark [records] [maxBatchSize]
 * [rounds]}
 */
public final class RouterBenchmark {
  private static final int PARTITIONS = 4;
  private static final long COMMIT_INTERVAL_MS = 1000;
  private static final int MAX_POLL_RECORDS = 1000; // the Kafka Streams default
  private static final int LINGER_MS = 5;

  private RouterBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    String url = "mock://router-bench";
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
          String app = "bench" + r;
          String deployment = "bench-dep" + r;
          broker.createTopics(
              new NewTopic(pipeIn(r), PARTITIONS, (short) 1),
              new NewTopic(pipeOut(r), PARTITIONS, (short) 1),
              new NewTopic(streamsIn(r), PARTITIONS, (short) 1),
              new NewTopic(streamsOut(r), PARTITIONS, (short) 1),
              new NewTopic(Topics.requests(app), PARTITIONS, (short) 1),
              new NewTopic(Topics.batches(deployment), PARTITIONS, (short) 1));
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
                      + ", maxWaitMs: 10}}\n",
                  0));
          value =
              AvroSerde.of(InferenceRequest.class, SerdeConfig.of(url), false)
                  .serializer()
                  .serialize(Topics.requests(app), request(app));
          produce(producer, pipeIn(r), value, n);
          produce(producer, streamsIn(r), value, n);
          produce(producer, Topics.requests(app), value, n);
        }
      }
      System.out.printf(
          "%d records of %d bytes on %d partitions per round, %d rounds (round 1 = warm-up),"
              + " at_least_once, commit every %d ms, %d cores%n",
          n,
          value.length,
          PARTITIONS,
          rounds,
          COMMIT_INTERVAL_MS,
          Runtime.getRuntime().availableProcessors());
      List<Double> ratios = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        double pipe = pipe(bootstrap, r, n);
        double streams = streamsPipe(bootstrap, r, n);
        double router = router(bootstrap, url, r, n);
        double ratio = router / pipe;
        System.out.printf(
            "round %d%s: pipe %,.0f records/s, Kafka Streams pipe %,.0f records/s (%.2f),"
                + " router %,.0f requests/s (maxBatchSize %d), ratio router/pipe %.2f, load %s%n",
            r + 1,
            r == 0 ? " (warm-up)" : "",
            pipe,
            streams,
            streams / pipe,
            router,
            batchSize,
            ratio,
            loadAverage());
        if (r > 0) {
          ratios.add(ratio);
        }
      }
      if (!ratios.isEmpty()) {
        List<Double> sorted = new ArrayList<>(ratios);
        Collections.sort(sorted);
        System.out.printf(
            "ratio router/pipe: median %.2f, min %.2f, max %.2f over %d rounds%n",
            sorted.get(sorted.size() / 2),
            sorted.get(0),
            sorted.get(sorted.size() - 1),
            sorted.size());
      }
    }
  }

  private static String pipeIn(int round) {
    return "bench.pipe.in" + round;
  }

  private static String pipeOut(int round) {
    return "bench.pipe.out" + round;
  }

  private static String streamsIn(int round) {
    return "bench.streams.in" + round;
  }

  private static String streamsOut(int round) {
    return "bench.streams.out" + round;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "?";
    }
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
   * Consume, produce the same bytes, and every commit interval flush the producer and then commit
   * the consumed offsets: the at-least-once floor any router must pay.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // false positive: the callback counts failures
  private static double pipe(String bootstrap, int round, int n) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-pipe" + round);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                producerProps(bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
      consumer.subscribe(List.of(pipeIn(round)));
      AtomicLong failed = new AtomicLong();
      long start = 0;
      long lastCommit = 0;
      int seen = 0;
      while (seen < n) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty() && start == 0) {
          start = System.nanoTime();
          lastCommit = start;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          producer.send(
              new ProducerRecord<>(pipeOut(round), r.key(), r.value()),
              (md, e) -> {
                if (e != null) {
                  failed.incrementAndGet();
                }
              });
          seen++;
        }
        if (start != 0
            && (seen >= n || System.nanoTime() - lastCommit >= COMMIT_INTERVAL_MS * 1_000_000)) {
          producer.flush();
          consumer.commitAsync();
          lastCommit = System.nanoTime();
        }
      }
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " pipe sends failed: the rate is not valid");
      }
      return n / ((System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Not part of the ratio: a Kafka Streams topology that forwards the bytes unchanged (source,
   * counting processor, sink) with the router's settings, to show what Kafka Streams itself costs
   * next to the plain pipe.
   */
  private static double streamsPipe(String bootstrap, int round, int n) throws Exception {
    AtomicLong first = new AtomicLong();
    AtomicLong count = new AtomicLong();
    Topology topology = new Topology();
    topology.addSource(
        "in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), streamsIn(round));
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
        "in");
    topology.addSink(
        "out", streamsOut(round), new ByteArraySerializer(), new ByteArraySerializer(), "count");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-streams" + round);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-streams").toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), LINGER_MS);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), MAX_POLL_RECORDS);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaStreams streams = new KafkaStreams(topology, p);
        KafkaConsumer<byte[], byte[]> offsets =
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      streams.start();
      List<TopicPartition> partitions = new ArrayList<>();
      for (int i = 0; i < PARTITIONS; i++) {
        partitions.add(new TopicPartition(streamsOut(round), i));
      }
      while (count.get() < n) {
        LockSupport.parkNanos(1_000_000);
      }
      while (offsets.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum()
          < n) {
        LockSupport.parkNanos(1_000_000);
      }
      return n / ((System.nanoTime() - first.get()) / 1e9);
    }
  }

  /**
   * Runs a fresh router on this round's app until the batches of all n requests are acknowledged by
   * the broker (the end offsets of the batch topic count them).
   */
  private static double router(String bootstrap, String url, int round, int n) throws Exception {
    PrometheusMeterRegistry registry = Metrics.newRegistry("router");
    Path stateDir = Files.createTempDirectory("router-bench-state");
    var config =
        ConfigLoader.load(
            RouterConfig.definition(),
            null,
            Map.of(),
            Map.of(
                RouterConfig.BOOTSTRAP_SERVERS,
                bootstrap,
                RouterConfig.SCHEMA_REGISTRY_URL,
                url,
                RouterConfig.APPLICATION_ID,
                "bench-router" + round,
                RouterConfig.STATE_DIR,
                stateDir.toString(),
                RouterConfig.REQUEST_TOPIC_PATTERN,
                java.util.regex.Pattern.quote(Topics.requests("bench" + round)),
                RouterConfig.COMMIT_INTERVAL_MS,
                Long.toString(COMMIT_INTERVAL_MS),
                RouterConfig.STREAMS_PREFIX + "producer.linger.ms",
                Integer.toString(LINGER_MS),
                RouterConfig.STREAMS_PREFIX + "consumer.max.poll.records",
                Integer.toString(MAX_POLL_RECORDS)));
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    String batches = Topics.batches("bench-dep" + round);
    try (RouterApp router = RouterApp.start(RouterConfig.from(config), registry, false);
        KafkaConsumer<byte[], byte[]> offsets =
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new TopicPartition(batches, p));
      }
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
      long batchCount = out.count();
      while (offsets.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum()
          < batchCount) {
        LockSupport.parkNanos(1_000_000);
      }
      double rate = n / ((System.nanoTime() - start) / 1e9);
      if (router.state() != KafkaStreams.State.RUNNING) {
        System.out.println("router state at the end: " + router.state());
      }
      return rate;
    }
  }
}
