package io.sluice.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.properties.PropertiesUtils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Formats a KRaft data directory the way {@code kafka-storage.sh format} does, but only when it has
 * not been formatted yet, so a persistent directory keeps its topics and records.
 */
final class StorageFormatter {

  private static final Logger log = LoggerFactory.getLogger(StorageFormatter.class);

  private StorageFormatter() {}

  /** The cluster id stored in the directory, if it is formatted. */
  static Optional<String> existingClusterId(Path dataDirectory) throws IOException {
    Path meta = dataDirectory.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME);
    if (!Files.exists(meta)) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        PropertiesUtils.readPropertiesFile(meta.toString()).getProperty("cluster.id"));
  }

  /**
   * Formats {@code dataDirectory} unless it already is; returns the cluster id either way.
   *
   * @throws IOException if the directory cannot be created or read
   * @throws EmbeddedKafkaException if Kafka's formatter rejects the configuration
   */
  static String formatIfNeeded(Path dataDirectory, KafkaConfig config) throws IOException {
    Optional<String> existing = existingClusterId(dataDirectory);
    if (existing.isPresent()) {
      log.debug(
          "Reusing formatted Kafka storage in {} (cluster {})", dataDirectory, existing.get());
      return existing.get();
    }
    Files.createDirectories(dataDirectory);
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    String dir = dataDirectory.toAbsolutePath().toString();
    try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(printStream)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setNodeId(config.nodeId())
          .setClusterId(clusterId)
          .setControllerListenerName(BrokerSettings.CONTROLLER_LISTENER)
          .setMetadataLogDirectory(dir)
          .addDirectory(dir)
          .run();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new EmbeddedKafkaException("Could not format Kafka storage in " + dataDirectory, e);
    }
    log.info("Formatted Kafka storage in {} (cluster {})", dataDirectory, clusterId);
    log.debug("Formatter output: {}", output.toString(StandardCharsets.UTF_8).strip());
    return clusterId;
  }
}
