package io.sluice.functions.worker;

import io.sluice.common.config.ConfigFlags;
import io.sluice.common.ops.GracefulShutdown;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice worker --deployment NAME}: runs one function worker until SIGTERM, then drains.
 * Configuration is layered file &lt; environment ({@code SLUICE_WORKER_...}) &lt; flags. Exit code
 * 0 after a graceful stop, 1 if the worker loop failed on its own.
 *
 * <pre>{@code
 * sluice worker --deployment sentiment -D sluice.worker.function=sentiment
 * sluice worker --deployment words -D sluice.worker.function=word-count --functions my-functions.jar
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

  @Mixin FunctionPathOption functions = new FunctionPathOption();

  @Spec CommandSpec spec;

  /** The flags every Sluice process takes: --config, -D/--set, --print-config-reference. */
  @Mixin ConfigFlags config = new ConfigFlags();

  @Override
  public Integer call() throws Exception {
    config.set(WorkerConfig.DEPLOYMENT, deployment);
    if (functions.given()) {
      config.set(WorkerConfig.FUNCTION_PATH, functions.joined());
    }
    return config.run(WorkerConfig.definition(), WorkerConfig::from, this::serve);
  }

  private int serve(WorkerConfig config) throws Exception {
    WorkerApp started;
    try {
      started = WorkerApp.start(config);
    } catch (FunctionLoadException e) {
      // A path that does not load is a bad option: its message alone, as for a bad key.
      spec.commandLine().getErr().println(e.getMessage());
      return ConfigFlags.EXIT_BAD_CONFIG;
    }
    // SIGTERM (a pod's stop) drains and then returns 0 from here, rather than the JVM's 143.
    GracefulShutdown shutdown = GracefulShutdown.onSignals("worker");
    WorkerApp app = shutdown.register("worker", started);
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
