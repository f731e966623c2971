package io.sluice.functions.worker;

import io.sluice.common.config.ConfigLoader;
import io.sluice.common.ops.GracefulShutdown;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice worker --deployment NAME}: runs one function worker until SIGTERM, then drains.
 * Configuration is layered file &lt; environment ({@code SLUICE_WORKER_...}) &lt; flags. Exit code
 * 0 after a graceful stop, 1 if the worker loop failed on its own.
 *
 * <pre>{@code
 * sluice worker --deployment sentiment -D sluice.worker.function=sentiment
 * // or embedded in another picocli tool:
 * new CommandLine(new WorkerCommand()).execute("--deployment", "chat");
 * }</pre>
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Run a function worker for one deployment (keys: functions/README.md).")
public final class WorkerCommand implements Callable<Integer> {
  @Option(
      names = "--deployment",
      required = true,
      description = "Deployment to serve (sluice.worker.deployment).")
  String deployment;

  @Option(names = "--config", description = "Configuration file (.properties, .yaml, .json).")
  Path configFile;

  @Option(
      names = {"-D", "--set"},
      description = "Set a configuration key, e.g. -D sluice.worker.function=sentiment.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Map<String, String> flags = new LinkedHashMap<>(overrides);
    flags.put(WorkerConfig.DEPLOYMENT, deployment);
    WorkerConfig config =
        WorkerConfig.from(
            ConfigLoader.load(WorkerConfig.definition(), configFile, System.getenv(), flags));
    GracefulShutdown shutdown = GracefulShutdown.installed("worker");
    WorkerApp app = shutdown.register("worker", WorkerApp.start(config));
    Thread watcher =
        new Thread(
            () -> {
              try {
                app.awaitTermination();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              shutdown.close(); // the loop failed on its own: stop the process
            },
            "sluice-worker-watch");
    watcher.setDaemon(true);
    watcher.start();
    shutdown.await();
    return app.failure() == null ? 0 : 1;
  }
}
