package io.sluice.loadtest.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.avro.ChatInput;
import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatRole;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Router throughput as a ratio to a plain consume-and-produce pipe (at-least-once, commit after
 * each poll) on the same in-JVM broker, the same number of partitions and the same record bytes, in
 * the same run. Both read N pre-produced records; each is timed from its first record in to its
 * last record out, one after the other so they do not share the CPU.
 *
 * <p>{@code java -cp ... io.sluice.loadtest.router.RouterBenchmark [records] [maxBatchSize]}
 */
public final class RouterBenchmark {
  private static final int PARTITIONS = 4;

  private RouterBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    Path stateDir = Files.createTempDirectory("router-bench-state");
    String url = "mock://router-bench";
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
      String bootstrap = broker.bootstrapServers();
      String app = "bench";
      String deployment = "bench-dep";
      broker.createTopics(
          new NewTopic("bench.pipe.in", PARTITIONS, (short) 1),
          new NewTopic("bench.pipe.out", PARTITIONS, (short) 1),
          new NewTopic(Topics.requests(app), PARTITIONS, (short) 1),
          new NewTopic(Topics.batches(deployment), PARTITIONS, (short) 1));
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
      byte[] value =
          AvroSerde.of(InferenceRequest.class, SerdeConfig.of(url), false)
              .serializer()
              .serialize(Topics.requests(app), request(app));
      produce(bootstrap, "bench.pipe.in", value, n);
      produce(bootstrap, Topics.requests(app), value, n);
      System.out.printf("%d records of %d bytes on %d partitions%n", n, value.length, PARTITIONS);

      double pipe = pipe(bootstrap, n);
      System.out.printf("plain pipe:  %,.0f records/s%n", pipe);
      double router = router(bootstrap, url, stateDir, n);
      System.out.printf("router:      %,.0f requests/s (maxBatchSize %d)%n", router, batchSize);
      System.out.printf(
          "ratio router/pipe = %.2f (at_least_once, %d cores)%n",
          router / pipe, Runtime.getRuntime().availableProcessors());
    }
  }

  private static InferenceRequest request(String app) {
    return InferenceRequest.newBuilder()
        .setRequestId("r-000000000")
        .setApp(app)
        .setInput(
            ChatInput.newBuilder()
                .setMessages(
                    List.of(
                        ChatMessage.newBuilder()
                            .setRole(ChatRole.USER)
                            .setContent(
                                "Summarise the following paragraph in one sentence, please.")
                            .build()))
                .build())
        .build();
  }

  private static Properties producerProps(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return p;
  }

  private static void produce(String bootstrap, String topic, byte[] value, int n) {
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            producerProps(bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < n; i++) {
        p.send(new ProducerRecord<>(topic, ("k" + i).getBytes(), value));
      }
      p.flush();
    }
  }

  /** Consume, produce the same bytes, commit after each poll: the floor any router must pay. */
  private static double pipe(String bootstrap, int n) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-pipe");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                producerProps(bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
      consumer.subscribe(List.of("bench.pipe.in"));
      long start = 0;
      int seen = 0;
      while (seen < n) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty() && start == 0) {
          start = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          producer.send(new ProducerRecord<>("bench.pipe.out", r.key(), r.value()));
          seen++;
        }
        if (!records.isEmpty()) {
          producer.flush();
          consumer.commitAsync();
        }
      }
      return n / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static double router(String bootstrap, String url, Path stateDir, int n)
      throws Exception {
    PrometheusMeterRegistry registry = Metrics.newRegistry("router");
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
                "bench-router",
                RouterConfig.STATE_DIR,
                stateDir.toString(),
                RouterConfig.STREAMS_PREFIX + "producer.linger.ms",
                "5"));
    try (RouterApp router = RouterApp.start(config, registry, false)) {
      long start = 0;
      while (true) {
        Counter in = registry.find("sluice.router.requests").counter();
        if (start == 0 && in != null && in.count() > 0) {
          start = System.nanoTime();
        }
        DistributionSummary out = registry.find("sluice.router.batch.size").summary();
        if (out != null && out.totalAmount() >= n) {
          System.out.println("router state at the end: " + router.state());
          return n / ((System.nanoTime() - start) / 1e9);
        }
        Thread.onSpinWait();
      }
    }
  }
}
