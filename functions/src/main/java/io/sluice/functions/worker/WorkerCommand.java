package io.sluice.functions.worker;

import io.sluice.common.config.ConfigFlags;
import io.sluice.common.ops.GracefulShutdown;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  /** The flags every Sluice process takes: --config, -D/--set, --print-config-reference. */
  @Mixin ConfigFlags config = new ConfigFlags();

  @Override
  public Integer call() throws Exception {
    config.set(WorkerConfig.DEPLOYMENT, deployment);
    return config.run(WorkerConfig.definition(), WorkerConfig::from, WorkerCommand::serve);
  }

  private static int serve(WorkerConfig config) throws Exception {
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
