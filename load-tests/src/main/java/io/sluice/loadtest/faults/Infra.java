package io.sluice.loadtest.faults;

import io.sluice.common.config.SluiceConfig;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.router.RouterConfig;
import io.sluice.router.cli.RoutesCommand;
import io.sluice.router.route.RouteFiles;
import io.sluice.schemas.Topics;
import io.sluice.simulator.SimulatorConfig;
import io.sluice.simulator.SimulatorServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * What the fault suite never kills, in its own JVM: a single-node KRaft broker, the schema registry
 * (kept in the broker's {@code _schemas}) and the vLLM simulator, with the suite's topics and
 * routes in place. In a cluster these are the managed Kafka, the registry and the GPU pods.
 */
final class Infra implements AutoCloseable {
  static final int APP_PARTITIONS = 3;
  static final int DEPLOYMENT_PARTITIONS = 4;

  final EmbeddedKafkaBroker broker;
  final EmbeddedSchemaRegistry registry;
  final SimulatorServer simulator;

  private Infra(
      EmbeddedKafkaBroker broker, EmbeddedSchemaRegistry registry, SimulatorServer simulator) {
    this.broker = broker;
    this.registry = registry;
    this.simulator = simulator;
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
      List<NewTopic> topics = new ArrayList<>();
      topics.add(
          new NewTopic(Topics.ROUTES, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
      topics.add(new NewTopic(Topics.DLQ_ROUTER, 1, (short) 1));
      topics.add(new NewTopic(replyTopic, APP_PARTITIONS, (short) 1));
      for (String app : apps) {
        topics.add(new NewTopic(Topics.requests(app), APP_PARTITIONS, (short) 1));
        topics.add(new NewTopic(Topics.responses(app), APP_PARTITIONS, (short) 1));
        topics.add(new NewTopic(Topics.batches(app), DEPLOYMENT_PARTITIONS, (short) 1));
        topics.add(new NewTopic(Topics.dlq(app), 1, (short) 1));
      }
      broker.createTopics(topics);
      SluiceConfig connection =
          RouterConfig.connection()
              .parse(
                  Map.of(
                      RouterConfig.BOOTSTRAP_SERVERS,
                      broker.bootstrapServers(),
                      RouterConfig.SCHEMA_REGISTRY_URL,
                      registry.url()));
      for (String app : apps) {
        // The app's deployment has the app's name; small batches, a short wait.
        RoutesCommand.publish(
            connection,
            RouteFiles.parse(
                "app: "
                    + app
                    + "\nvariants: [{deployment: "
                    + app
                    + "}]\nbatching: {"
                    + app
                    + ": {maxBatchSize: 8, maxWaitMs: 10}}\n",
                System.currentTimeMillis()));
      }
      return new Infra(broker, registry, simulator);
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
