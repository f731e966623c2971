package io.sluice.devstack;

import java.nio.file.Path;

/**
 * What {@code sluice dev} starts and where.
 *
 * @param dataDir where the broker keeps its data between runs ({@code ./.sluice})
 * @param fresh wipe {@code dataDir} before starting
 * @param host the address services bind to and advertise
 * @param kafkaPort Kafka's port (9092)
 * @param registryPort the schema registry's port (8081)
 * @param routerManagementPort the router's /healthz, /readyz, /metrics port (9090)
 * @param verboseKafka log the broker at INFO instead of WARN
 */
public record DevStackSettings(
    Path dataDir,
    boolean fresh,
    String host,
    int kafkaPort,
    int registryPort,
    int routerManagementPort,
    boolean verboseKafka) {

  /** The defaults the README's command uses. */
  public static DevStackSettings defaults() {
    return new DevStackSettings(Path.of(".sluice"), false, "localhost", 9092, 8081, 9090, false);
  }

  /** Free ports everywhere: for tests, and for running beside another stack. */
  public static DevStackSettings freePorts(Path dataDir) {
    return new DevStackSettings(dataDir, false, "localhost", 0, 0, 0, false);
  }

  public DevStackSettings withFresh(boolean wipe) {
    return new DevStackSettings(
        dataDir, wipe, host, kafkaPort, registryPort, routerManagementPort, verboseKafka);
  }
}
