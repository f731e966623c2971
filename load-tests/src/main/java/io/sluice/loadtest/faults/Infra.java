package io.sluice.loadtest.faults;

import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.manifest.Manifest;
import io.sluice.manifest.ManifestLoader;
import io.sluice.manifest.apply.Applier;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.schemas.serde.SchemaRegistries;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.simulator.SimulatorConfig;
import io.sluice.simulator.SimulatorServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * What the fault suite never kills, in its own JVM: a single-node KRaft broker, the schema registry
 * (kept in the broker's {@code _schemas}) and the vLLM simulator, with the suite's manifest applied
 * as {@code sluice apply} applies it. In a cluster these are the managed Kafka, the registry and
 * the GPU pods.
 */
final class Infra implements AutoCloseable {
  static final int APP_PARTITIONS = 3;
  static final int DEPLOYMENT_PARTITIONS = 4;

  final EmbeddedKafkaBroker broker;
  final EmbeddedSchemaRegistry registry;
  final SimulatorServer simulator;

  final Manifest manifest;

  private Infra(
      EmbeddedKafkaBroker broker,
      EmbeddedSchemaRegistry registry,
      SimulatorServer simulator,
      Manifest manifest) {
    this.broker = broker;
    this.registry = registry;
    this.simulator = simulator;
    this.manifest = manifest;
  }

  /**
   * The suite's manifest: each app served by one deployment of its own name, {@code chat} by the
   * {@code llm} function on the simulator, any other by the function of its name; small batches, a
   * short wait, partitions for the replicas the suite runs.
   */
  static String manifest(List<String> apps, SimulatorServer simulator) {
    StringBuilder sb = new StringBuilder("apiVersion: sluice.io/v1\ndeployments:\n");
    for (String app : apps) {
      boolean llm = FaultSuite.CHAT.equals(app);
      sb.append("  ")
          .append(app)
          .append(":\n")
          .append("    function: ")
          .append(llm ? "llm" : app)
          .append('\n')
          .append("    batching: {maxBatchSize: 8, maxWaitMs: 10}\n")
          .append("    scaling: {minReplicas: 1, maxReplicas: ")
          .append(DEPLOYMENT_PARTITIONS)
          .append("}\n");
      if (llm) {
        sb.append("    backend: {url: \"").append(simulator.baseUrl()).append("\"}\n");
      }
    }
    sb.append("apps:\n");
    for (String app : apps) {
      sb.append("  ")
          .append(app)
          .append(":\n")
          .append("    partitions: ")
          .append(APP_PARTITIONS)
          .append('\n')
          .append("    route: {variants: [{deployment: ")
          .append(app)
          .append("}]}\n");
    }
    return sb.toString();
  }

  /** Starts everything and applies the routes of {@code apps} (each app has one deployment). */
  static Infra start(Path dataDir, List<String> apps, String replyTopic) throws Exception {
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder()
            .dataDirectory(dataDir.resolve("kafka"))
            .deleteDataDirectoryOnClose(true)
            .port(0)
            .build()
            .start();
    EmbeddedSchemaRegistry registry = null;
    SimulatorServer simulator = null;
    try {
      registry = EmbeddedSchemaRegistry.builder(broker.bootstrapServers(), 0).build().start();
      simulator = SimulatorServer.start(SimulatorConfig.defaults(0));
      Manifest manifest = ManifestLoader.parse("fault-suite manifest", manifest(apps, simulator));
      try (Applier applier =
          Applier.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
              SchemaRegistries.forUrl(registry.url(), null),
              SerdeConfig.of(registry.url()))) {
        applier.apply(manifest);
      }
      // The load generator's own reply topic: its topic, not an app's.
      broker.createTopics(List.of(new NewTopic(replyTopic, APP_PARTITIONS, (short) 1)));
      return new Infra(broker, registry, simulator, manifest);
    } catch (Exception | Error e) {
      if (simulator != null) {
        simulator.close();
      }
      if (registry != null) {
        registry.close();
      }
      broker.close();
      throw e;
    }
  }

  @Override
  public void close() {
    simulator.close();
    registry.close();
    broker.close();
  }
}
