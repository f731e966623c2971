package io.sluice.kafka.embedded;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The broker properties of a single-node combined-mode KRaft cluster. Pure function of its inputs
 * so the settings can be read in one place and tested without a broker.
 */
final class BrokerSettings {

  static final int NODE_ID = 1;
  static final String BROKER_LISTENER = "PLAINTEXT";
  static final String CONTROLLER_LISTENER = "CONTROLLER";

  private BrokerSettings() {}

  /**
   * Defaults that make consumer groups and transactions work on one node, and keep a broker that
   * shares a laptop or a CI machine with other processes small.
   */
  static Map<String, String> singleNodeDefaults() {
    return Map.ofEntries(
        // Internal topics default to replication factor 3: a single node can never satisfy that.
        Map.entry("offsets.topic.replication.factor", "1"),
        Map.entry("transaction.state.log.replication.factor", "1"),
        Map.entry("transaction.state.log.min.isr", "1"),
        Map.entry("share.coordinator.state.topic.replication.factor", "1"),
        Map.entry("share.coordinator.state.topic.min.isr", "1"),
        Map.entry("default.replication.factor", "1"),
        Map.entry("min.insync.replicas", "1"),
        // Fewer internal partitions: the first consumer group and the first transaction then
        // create their coordinator topics in well under a second.
        Map.entry("offsets.topic.num.partitions", "5"),
        Map.entry("transaction.state.log.num.partitions", "5"),
        // No point waiting for more members to join on a development broker.
        Map.entry("group.initial.rebalance.delay.ms", "0"),
        // The log cleaner's 128 MiB dedupe buffer is sized for production brokers.
        Map.entry("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024)),
        Map.entry("num.partitions", "1"),
        Map.entry("auto.create.topics.enable", "true"),
        Map.entry("num.network.threads", "2"),
        Map.entry("num.io.threads", "4"),
        Map.entry("background.threads", "4"));
  }

  /**
   * The full configuration: listener and quorum wiring, then {@link #singleNodeDefaults()}, then
   * the caller's extra properties, which win.
   */
  static Properties build(
      Path dataDirectory,
      String host,
      int brokerPort,
      int controllerPort,
      Map<String, String> extraProperties) {
    Properties props = new Properties();
    props.putAll(singleNodeDefaults());
    props.put("process.roles", "broker,controller");
    props.put("node.id", String.valueOf(NODE_ID));
    // A static voter set (kraft.version 0) is kept in config, not in the metadata log, so a
    // restart on the same data directory may use a different controller port.
    props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("inter.broker.listener.name", BROKER_LISTENER);
    props.put(
        "listeners",
        BROKER_LISTENER
            + "://"
            + host
            + ":"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + host
            + ":"
            + controllerPort);
    props.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + brokerPort);
    props.put(
        "listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    String dir = dataDirectory.toAbsolutePath().toString();
    props.put("log.dirs", dir);
    props.put("metadata.log.dir", dir);
    props.putAll(extraProperties);
    return props;
  }
}
