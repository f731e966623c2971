package io.sluice.router;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.RouteConfig;
import io.sluice.router.batch.BatchLimits;
import io.sluice.router.topology.RouterTopology;
import io.sluice.router.topology.TopologySettings;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** A TopologyTestDriver around the router topology, with a private mock registry. */
final class RouterHarness implements AutoCloseable {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final String url = "mock://router-test-" + UUID.randomUUID();
  final SerdeConfig serde = SerdeConfig.of(url);
  final Serde<InferenceRequest> requests = AvroSerde.of(InferenceRequest.class, serde, false);
  final Serde<RouteConfig> routes = AvroSerde.of(RouteConfig.class, serde, false);
  final Serde<InferenceBatch> batches = AvroSerde.of(InferenceBatch.class, serde, false);
  final Serde<InferenceResponse> responses = AvroSerde.of(InferenceResponse.class, serde, false);
  final Serde<DeadLetter> deadLetters = AvroSerde.of(DeadLetter.class, serde, false);
  final TopologyTestDriver driver;
  final TestInputTopic<String, RouteConfig> routeTopic;

  RouterHarness(Path stateDir) {
    this(stateDir, new BatchLimits(8, 10, null));
  }

  RouterHarness(Path stateDir, BatchLimits defaults) {
    this(stateDir, defaults, topic -> java.util.OptionalInt.of(Integer.MAX_VALUE));
  }

  /** With reply-topic metadata of the test's choosing. */
  RouterHarness(
      Path stateDir, BatchLimits defaults, io.sluice.router.topology.TopicPartitions topics) {
    TopologySettings settings = TopologySettings.defaults(url).withDefaultLimits(defaults);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            RouterTopology.build(settings, new RouterMetrics(registry), topics), p, T0);
    routeTopic =
        driver.createInputTopic(Topics.ROUTES, new StringSerializer(), routes.serializer());
  }

  void setRoute(RouteConfig route) {
    routeTopic.pipeInput(route.getApp(), route);
  }

  TestInputTopic<String, InferenceRequest> requestTopic(String app) {
    return driver.createInputTopic(
        Topics.requests(app), new StringSerializer(), requests.serializer());
  }

  TestInputTopic<byte[], byte[]> rawRequestTopic(String app) {
    return driver.createInputTopic(
        Topics.requests(app), new ByteArraySerializer(), new ByteArraySerializer());
  }

  TestOutputTopic<String, InferenceBatch> batchTopic(String deployment) {
    return driver.createOutputTopic(
        Topics.batches(deployment), new StringDeserializer(), batches.deserializer());
  }

  TestOutputTopic<String, InferenceResponse> replyTopic(String topic) {
    return driver.createOutputTopic(topic, new StringDeserializer(), responses.deserializer());
  }

  TestOutputTopic<String, DeadLetter> dlq() {
    return driver.createOutputTopic(
        Topics.DLQ_ROUTER, new StringDeserializer(), deadLetters.deserializer());
  }

  void advance(long ms) {
    driver.advanceWallClockTime(Duration.ofMillis(ms));
  }

  double count(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Override
  public void close() {
    driver.close();
  }
}
