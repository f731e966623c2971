package io.sluice.router.cli;

import io.sluice.common.config.ConfigFlags;
import io.sluice.common.ops.GracefulShutdown;
import io.sluice.router.RouterApp;
import io.sluice.router.RouterConfig;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice router}: runs the stream router until SIGTERM/Ctrl-C. */
@Command(
    name = "router",
    mixinStandardHelpOptions = true,
    description = "Run the stream router: requests -> A/B split, deadlines, micro-batches.")
public final class RouterCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RouterCommand.class);

  @Mixin ConfigFlags config = new ConfigFlags();

  @Override
  public Integer call() throws Exception {
    return config.run(
        RouterConfig.definition(),
        c -> {
          // The layered values, secrets redacted, as the operator set them.
          log.info("starting router with {}", c);
          return RouterConfig.from(c);
        },
        c -> {
          GracefulShutdown shutdown = GracefulShutdown.installed("router");
          shutdown.register("router", RouterApp.start(c));
          shutdown.await();
          return 0;
        });
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new RouterCommand()).execute(args));
  }
}
