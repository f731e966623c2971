package io.sluice.devstack;

import io.sluice.common.config.ConfigFlags;
import io.sluice.common.ops.GracefulShutdown;
import io.sluice.functions.worker.FunctionLoadException;
import io.sluice.functions.worker.FunctionRegistry;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice dev}: the whole stack in one process, until Ctrl-C. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description =
        "Run the dev stack: Kafka (KRaft), schema registry, router, vLLM simulator, autoscaled"
            + " workers for the demo apps, and the HTTP bridge.")
public final class DevCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      defaultValue = ".sluice",
      description = "Where data is kept between runs (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--fresh", description = "Wipe the data directory first.")
  boolean fresh;

  @Option(names = "--host", defaultValue = "localhost", description = "Bind/advertise address.")
  String host;

  @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka port.")
  int kafkaPort;

  @Option(names = "--registry-port", defaultValue = "8081", description = "Schema Registry port.")
  int registryPort;

  @Option(
      names = "--router-port",
      defaultValue = "9090",
      description = "Router /healthz, /readyz, /metrics port.")
  int routerPort;

  @Option(names = "--bridge-port", defaultValue = "8080", description = "HTTP bridge port.")
  int bridgePort;

  @Option(
      names = "--vllm-url",
      description =
          "Point the LLM deployments at a real vLLM (e.g. http://gpu-box:8000) instead of the"
              + " built-in simulator.")
  String vllmUrl;

  @Option(names = "--vllm-model", description = "Model name to request from --vllm-url.")
  String vllmModel;

  @Option(names = "--simulator-port", defaultValue = "8000", description = "vLLM simulator port.")
  int simulatorPort;

  @Option(
      names = "--metrics-port",
      defaultValue = "9099",
      description = "The dev stack's /metrics (workers, replicas).")
  int metricsPort;

  @Option(names = "--verbose-kafka", description = "Log the broker and Kafka clients at INFO.")
  boolean verboseKafka;

  @Option(
      names = "--functions",
      paramLabel = "PATH",
      description =
          "Your own functions, besides Sluice's: a jar, a directory of jars or a class directory;"
              + " several separated by '${sys:path.separator}' or given again"
              + " (examples/functions/README.md).")
  List<String> functions = new ArrayList<>();

  /** The lines a new user copies: they work as printed against this stack. */
  static String tryIt(String bridge) {
    return String.join(
        "\n",
        "Try it:",
        "  curl -s " + bridge + "/v1/apps/sentiment/infer -H 'Content-Type: application/json' \\",
        "       -d '{\"input\": {\"text\": \"I love how fast this is\"}}'",
        "",
        "  curl -s " + bridge + "/v1/chat/completions -H 'Content-Type: application/json' \\",
        "       -d '{\"model\": \"chat\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'",
        "",
        "  # OpenAI SDK (pip install openai): the model is the app",
        "  python3 - <<'PY'",
        "from openai import OpenAI",
        "client = OpenAI(base_url=\"" + bridge + "/v1\", api_key=\"unused-in-dev\")",
        "r = client.chat.completions.create(model=\"chat\", messages=[{\"role\": \"user\", \"content\": \"Hello\"}])",
        "print(r.choices[0].message.content)",
        "PY",
        "",
        "");
  }

  @Override
  public Integer call() throws Exception {
    if (verboseKafka) {
      Configurator.setLevel("kafka", Level.INFO);
      Configurator.setLevel("org.apache.kafka", Level.INFO);
    }
    DevStackSettings settings =
        new DevStackSettings(
            dataDir,
            fresh,
            host,
            kafkaPort,
            registryPort,
            routerPort,
            bridgePort,
            simulatorPort,
            metricsPort,
            vllmUrl,
            vllmModel,
            java.time.Duration.ofSeconds(1),
            DevDeployments.DEV_COOLDOWN,
            verboseKafka,
            FunctionRegistry.parsePath(String.join(File.pathSeparator, functions)));
    GracefulShutdown shutdown = GracefulShutdown.installed("sluice dev");
    DevStack stack;
    try {
      stack = shutdown.register("dev stack", new DevStack(settings).start());
    } catch (FunctionLoadException e) {
      System.err.println(e.getMessage()); // a --functions path that does not load: a bad option
      return ConfigFlags.EXIT_BAD_CONFIG;
    }
    System.out.println();
    System.out.println("Sluice dev stack is running. Ctrl-C stops it.");
    for (Map.Entry<String, String> e : stack.endpoints().entrySet()) {
      System.out.printf("  %-18s %s%n", e.getKey(), e.getValue());
    }
    System.out.println();
    System.out.print(tryIt(stack.bridgeUrl()));
    shutdown.await();
    org.apache.logging.log4j.LogManager.shutdown();
    return 0;
  }
}
