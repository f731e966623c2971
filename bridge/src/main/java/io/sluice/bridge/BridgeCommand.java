package io.sluice.bridge;

import io.sluice.common.config.ConfigFlags;
import io.sluice.common.ops.GracefulShutdown;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bridge}: runs the HTTP-to-Kafka bridge until SIGTERM. Configuration is layered file
 * &lt; environment ({@code SLUICE_BRIDGE_PORT}...) &lt; {@code -D/--set key=value} flags.
 */
@Command(
    name = "bridge",
    mixinStandardHelpOptions = true,
    description = "Run the HTTP-to-Kafka bridge (sync, async and OpenAI-compatible endpoints).")
public final class BridgeCommand implements Callable<Integer> {
  @Mixin ConfigFlags config = new ConfigFlags();

  @Option(names = "--port", description = "Shortcut for -D sluice.bridge.port=N.")
  Integer port;

  @Override
  public Integer call() throws Exception {
    if (port != null) {
      config.set(BridgeConfig.PORT, port.toString());
    }
    return config.run(
        BridgeConfig.definition(),
        BridgeConfig::from,
        c -> {
          GracefulShutdown shutdown = GracefulShutdown.installed("bridge");
          shutdown.register("bridge", BridgeServer.start(c));
          shutdown.await();
          return 0;
        });
  }
}
