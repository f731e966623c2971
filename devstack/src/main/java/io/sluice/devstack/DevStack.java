package io.sluice.devstack;

import io.sluice.avro.RouteConfig;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.router.RouterApp;
import io.sluice.router.RouterConfig;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: a real single-node Kafka (KRaft) and a schema registry in one process, with
 * the demo apps' topics and route configs in place. {@link #close()} stops everything in reverse
 * order.
 */
public final class DevStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevStack.class);

  private final DevStackSettings settings;
  private final List<AutoCloseable> started = new ArrayList<>();
  private EmbeddedKafkaBroker broker;
  private EmbeddedSchemaRegistry registry;
  private RouterApp router;

  public DevStack(DevStackSettings settings) {
    this.settings = settings;
  }

  /** Starts the stack; returns once every part answers. */
  public DevStack start() {
    long t0 = System.nanoTime();
    Path kafkaDir = settings.dataDir().resolve("kafka");
    if (settings.fresh()) {
      wipe(settings.dataDir());
    }
    broker =
        EmbeddedKafkaBroker.builder()
            .dataDirectory(kafkaDir)
            .host(settings.host())
            .port(settings.kafkaPort())
            .build()
            .start();
    started.add(broker);
    log.info("Kafka (KRaft, single node) on {} — data in {}", broker.bootstrapServers(), kafkaDir);

    registry =
        EmbeddedSchemaRegistry.builder(broker.bootstrapServers(), settings.registryPort())
            .host(settings.host())
            .build()
            .start();
    started.add(registry);
    log.info("Schema Registry on {}", registry.url());

    List<RouteConfig> routes = DemoApps.routes();
    broker.createTopics(DemoApps.topicsFor(routes));
    startRouter();
    if (routesTopicIsEmpty()) {
      publishRoutes(routes); // first run only: later runs keep what `sluice routes set` changed
    } else {
      log.info("route configs kept from the previous run ({})", Topics.ROUTES);
    }
    awaitRouterRunning(Duration.ofSeconds(60));
    log.info("dev stack up in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return this;
  }

  private void startRouter() {
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put(RouterConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    raw.put(RouterConfig.SCHEMA_REGISTRY_URL, registry.url());
    raw.put(RouterConfig.STATE_DIR, settings.dataDir().resolve("router-state").toString());
    raw.put(RouterConfig.MANAGEMENT_HOST, settings.host());
    raw.put(RouterConfig.MANAGEMENT_PORT, Integer.toString(settings.routerManagementPort()));
    router = RouterApp.start(RouterConfig.definition().parse(raw));
    started.add(router);
    log.info("stream router started (management on port {})", router.managementPort());
  }

  private void awaitRouterRunning(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (router.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the router did not reach RUNNING within "
                + timeout
                + " (state "
                + router.state()
                + ")");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the router", e);
      }
    }
  }

  /** The endpoints a user needs, in the order they are printed. */
  public Map<String, String> endpoints() {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("Kafka bootstrap", broker.bootstrapServers());
    e.put("Schema Registry", registry.url());
    e.put(
        "Router metrics", "http://" + settings.host() + ":" + router.managementPort() + "/metrics");
    return e;
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  private boolean routesTopicIsEmpty() {
    try {
      org.apache.kafka.common.TopicPartition tp =
          new org.apache.kafka.common.TopicPartition(Topics.ROUTES, 0);
      long end =
          broker
              .admin()
              .listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
              .partitionResult(tp)
              .get(10, TimeUnit.SECONDS)
              .offset();
      return end == 0;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the end of " + Topics.ROUTES + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void publishRoutes(List<RouteConfig> routes) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    try (AvroSerde<RouteConfig> serde =
            AvroSerde.of(RouteConfig.class, SerdeConfig.of(registry.url()), false);
        KafkaProducer<String, RouteConfig> producer =
            new KafkaProducer<>(p, new StringSerializer(), serde.serializer())) {
      for (RouteConfig r : routes) {
        producer.send(new ProducerRecord<>(Topics.ROUTES, r.getApp(), r)).get(10, TimeUnit.SECONDS);
        log.info(
            "route {} -> {}",
            r.getApp(),
            r.getVariants().stream()
                .map(v -> v.getDeployment() + " (" + v.getWeight() + ")")
                .toList());
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not publish the demo routes: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing routes", e);
    }
  }

  private static void wipe(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    log.info("--fresh: wiping {}", dir.toAbsolutePath());
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot wipe " + dir, e);
    }
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", started.get(i).getClass().getSimpleName(), e.toString());
      }
    }
    started.clear();
  }
}
