package io.sluice.devstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code sluice dev} starts and where.
 *
 * @param manifest the manifest the stack runs (its deployments and apps), watched for edits
 * @param dataDir where the broker keeps its data between runs ({@code ./.sluice})
 * @param fresh wipe {@code dataDir} before starting
 * @param host the address services bind to and advertise
 * @param kafkaPort Kafka's port (9092)
 * @param registryPort the schema registry's port (8081)
 * @param routerManagementPort the router's /healthz, /readyz, /metrics port (9090)
 * @param bridgePort the HTTP bridge's port (8080)
 * @param simulatorPort the vLLM simulator's port (8000)
 * @param metricsPort the dev stack's own /metrics (workers, replicas) port (9099)
 * @param vllmUrl a real vLLM's base URL for the LLM deployments, or null for the simulator
 * @param vllmModel the model name to ask the real vLLM for, or null for its default
 * @param scalePollInterval how often the dev stack's autoscaler polls lag
 * @param scaleDownDelay null to scale as the manifest says; else a cooldown and scale-down window
 *     that replaces every deployment's (tests use a few seconds)
 * @param verboseKafka log the broker at INFO instead of WARN
 * @param functionPaths where the user's own functions are loaded from besides Sluice's ({@code
 *     --functions}): jars, directories of jars or class directories; empty for none
 */
public record DevStackSettings(
    Path manifest,
    Path dataDir,
    boolean fresh,
    String host,
    int kafkaPort,
    int registryPort,
    int routerManagementPort,
    int bridgePort,
    int simulatorPort,
    int metricsPort,
    String vllmUrl,
    String vllmModel,
    Duration scalePollInterval,
    Duration scaleDownDelay,
    boolean verboseKafka,
    List<Path> functionPaths) {

  public DevStackSettings {
    functionPaths = List.copyOf(functionPaths);
  }

  /** The defaults the README's command uses, on the given manifest. */
  public static DevStackSettings defaults(Path manifest) {
    return new DevStackSettings(
        manifest,
        Path.of(".sluice"),
        false,
        "localhost",
        9092,
        8081,
        9090,
        8080,
        8000,
        9099,
        null,
        null,
        Duration.ofSeconds(1),
        null,
        false,
        List.of());
  }

  /** Free ports everywhere and a 3 s scale-down delay: for tests. */
  public static DevStackSettings freePorts(Path manifest, Path dataDir) {
    return new DevStackSettings(
        manifest,
        dataDir,
        false,
        "localhost",
        0,
        0,
        0,
        0,
        0,
        0,
        null,
        null,
        Duration.ofMillis(500),
        Duration.ofSeconds(3),
        false,
        List.of());
  }

  public DevStackSettings withFresh(boolean wipe) {
    return new DevStackSettings(
        manifest,
        dataDir,
        wipe,
        host,
        kafkaPort,
        registryPort,
        routerManagementPort,
        bridgePort,
        simulatorPort,
        metricsPort,
        vllmUrl,
        vllmModel,
        scalePollInterval,
        scaleDownDelay,
        verboseKafka,
        functionPaths);
  }
}
