package io.sluice.bridge;

import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.ops.GracefulShutdown;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice bridge}: runs the HTTP-to-Kafka bridge until SIGTERM. Configuration is layered file
 * &lt; environment ({@code SLUICE_BRIDGE_PORT}...) &lt; {@code --set key=value} flags.
 */
@Command(
    name = "bridge",
    mixinStandardHelpOptions = true,
    description = "Run the HTTP-to-Kafka bridge (sync, async and OpenAI-compatible endpoints).")
public final class BridgeCommand implements Callable<Integer> {
  @Option(names = "--config", description = "Configuration file (.properties, .yaml, .json).")
  Path configFile;

  @Option(
      names = {"-s", "--set"},
      description = "Set a configuration key, e.g. --set sluice.bridge.port=8080.")
  Map<String, String> flags = new LinkedHashMap<>();

  @Option(names = "--port", description = "Shortcut for --set sluice.bridge.port=N.")
  Integer port;

  @Option(names = "--print-config-reference", description = "Print every key and exit.")
  boolean printReference;

  @Override
  public Integer call() throws Exception {
    if (printReference) {
      System.out.print(BridgeConfig.DEFINITION.toMarkdown());
      return 0;
    }
    Map<String, String> f = new LinkedHashMap<>(flags);
    if (port != null) {
      f.put(BridgeConfig.PORT, port.toString());
    }
    BridgeConfig config;
    try {
      config =
          BridgeConfig.from(
              ConfigLoader.load(BridgeConfig.DEFINITION, configFile, System.getenv(), f));
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    GracefulShutdown shutdown = GracefulShutdown.installed("bridge");
    shutdown.register("bridge", BridgeServer.builder(config).build().start());
    shutdown.await();
    return 0;
  }
}
