package io.sluice.router;

import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.config.SluiceConfig;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.testkit.Acks;
import io.sluice.testkit.KafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Shared plumbing of the router ITs. */
final class ItSupport {
  private ItSupport() {}

  static SluiceConfig connection(KafkaCluster kafka, String registryUrl) {
    return ConfigLoader.load(
        RouterConfig.connection(),
        null,
        Map.of(),
        Map.of(
            RouterConfig.BOOTSTRAP_SERVERS,
            kafka.bootstrapServers(),
            RouterConfig.SCHEMA_REGISTRY_URL,
            registryUrl));
  }

  /**
   * The config of an in-process router for an IT: this broker and registry, a fresh application id
   * from {@code appIdPrefix}, {@code stateDir}, management on an ephemeral loopback port, then
   * {@code extra} (pairs of key and value) on top.
   */
  static SluiceConfig routerConfig(
      KafkaCluster kafka, String registryUrl, String appIdPrefix, Path stateDir, String... extra) {
    if (extra.length % 2 != 0) {
      throw new IllegalArgumentException("extra must be key/value pairs");
    }
    Map<String, String> values = new LinkedHashMap<>();
    values.put(RouterConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    values.put(RouterConfig.SCHEMA_REGISTRY_URL, registryUrl);
    values.put(RouterConfig.APPLICATION_ID, kafka.uniqueId(appIdPrefix));
    values.put(RouterConfig.STATE_DIR, stateDir.toString());
    values.put(RouterConfig.MANAGEMENT_HOST, "127.0.0.1");
    values.put(RouterConfig.MANAGEMENT_PORT, "0");
    for (int i = 0; i < extra.length; i += 2) {
      values.put(extra[i], extra[i + 1]);
    }
    return ConfigLoader.load(RouterConfig.definition(), null, Map.of(), values);
  }

  static KafkaProducer<String, InferenceRequest> requestProducer(
      KafkaCluster kafka, String registryUrl) {
    Properties p = kafka.producerProperties();
    p.put("linger.ms", 5);
    return new KafkaProducer<>(
        p,
        new StringSerializer(),
        AvroSerde.of(InferenceRequest.class, SerdeConfig.of(registryUrl), false).serializer());
  }

  static void send(
      KafkaProducer<String, InferenceRequest> producer, String topic, List<InferenceRequest> rs)
      throws Exception {
    // Awaits every ack: a refused send fails the test here, not later as a missing batch.
    Acks.sendAll(
        producer, rs.stream().map(r -> new ProducerRecord<>(topic, r.getRequestId(), r)).toList());
  }

  static KafkaConsumer<String, InferenceBatch> batchConsumer(
      KafkaCluster kafka, String registryUrl, boolean readCommitted) {
    Properties p = kafka.consumerProperties();
    p.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        readCommitted ? "read_committed" : "read_uncommitted");
    return new KafkaConsumer<>(
        p,
        new StringDeserializer(),
        AvroSerde.of(InferenceBatch.class, SerdeConfig.of(registryUrl), false).deserializer());
  }

  static List<InferenceBatch> poll(KafkaConsumer<String, InferenceBatch> c) {
    List<InferenceBatch> out = new ArrayList<>();
    for (ConsumerRecord<String, InferenceBatch> r : c.poll(Duration.ofMillis(200))) {
      out.add(r.value());
    }
    return out;
  }

  /**
   * Starts {@code sluice router} in a JVM of its own (so a test can SIGKILL it), logging to {@code
   * target/<log>-<nanos>.log}.
   */
  static Process launchRouter(String maxHeap, List<String> args, String log) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + maxHeap);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(io.sluice.router.cli.RouterCommand.class.getName());
    cmd.addAll(args);
    java.io.File file = new java.io.File("target/" + log + "-" + System.nanoTime() + ".log");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(file).start();
  }
}
