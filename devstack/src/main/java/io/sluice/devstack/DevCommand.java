package io.sluice.devstack;

import io.sluice.common.config.ConfigFlags;
import io.sluice.common.ops.GracefulShutdown;
import io.sluice.functions.worker.FunctionLoadException;
import io.sluice.functions.worker.FunctionPathOption;
import io.sluice.manifest.AppSpec;
import io.sluice.manifest.InvalidManifestException;
import io.sluice.manifest.Manifest;
import io.sluice.manifest.cli.ApplyCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice dev}: the whole stack in one process, until Ctrl-C. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description =
        "Run the dev stack: Kafka (KRaft), schema registry, router, vLLM simulator, autoscaled"
            + " workers for every deployment of a manifest, and the HTTP bridge.")
public final class DevCommand implements Callable<Integer> {
  /** The manifest {@code ./sluice dev} runs without {@code -f}: the demo apps. */
  static final Path EXAMPLE = Path.of("examples", "sluice.yaml");

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description =
          "The manifest to run (default: examples/sluice.yaml, the demo apps). Edits are applied"
              + " while the stack runs.")
  Path manifest;

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

  @Mixin FunctionPathOption functions = new FunctionPathOption();

  /**
   * The lines a new user copies: they work as printed against this stack, for the apps of its
   * manifest (an {@code infer} call per app, and the OpenAI shape for apps served by {@code llm}).
   */
  static String tryIt(String bridge, Manifest manifest) {
    List<String> lines = new ArrayList<>();
    lines.add("Try it:");
    String chatApp = null;
    for (AppSpec app : manifest.apps().values()) {
      boolean llm =
          app.route().deployments().stream()
              .anyMatch(d -> "llm".equals(manifest.deployment(d).function()));
      if (llm) {
        chatApp = chatApp == null ? app.name() : chatApp;
        continue;
      }
      boolean embeddings =
          app.route().deployments().stream()
              .anyMatch(d -> "embeddings".equals(manifest.deployment(d).function()));
      if (embeddings) {
        lines.add("  curl -s " + bridge + "/v1/embeddings -H 'Content-Type: application/json' \\");
        lines.add(
            "       -d '{\"model\": \"" + app.name() + "\", \"input\": [\"red fox\", \"blue\"]}'");
        lines.add("");
        continue;
      }
      lines.add(
          "  curl -s "
              + bridge
              + "/v1/apps/"
              + app.name()
              + "/infer -H 'Content-Type: application/json' \\");
      lines.add("       -d '{\"input\": {\"text\": \"I love how fast this is\"}}'");
      lines.add("");
    }
    if (chatApp != null) {
      lines.add(
          "  curl -s " + bridge + "/v1/chat/completions -H 'Content-Type: application/json' \\");
      lines.add(
          "       -d '{\"model\": \""
              + chatApp
              + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'");
      lines.add("");
      lines.add("  # OpenAI SDK (pip install openai): the model is the app");
      lines.add("  python3 - <<'PY'");
      lines.add("from openai import OpenAI");
      lines.add("client = OpenAI(base_url=\"" + bridge + "/v1\", api_key=\"unused-in-dev\")");
      lines.add(
          "r = client.chat.completions.create(model=\""
              + chatApp
              + "\", messages=[{\"role\": \"user\", \"content\": \"Hello\"}])");
      lines.add("print(r.choices[0].message.content)");
      lines.add("PY");
      lines.add("");
    }
    lines.add("Edit " + manifest.file() + " while the stack runs: it is applied within a second.");
    lines.add("");
    return String.join("\n", lines);
  }

  /**
   * {@code examples/sluice.yaml} of the working directory, else of the checkout the {@code sluice}
   * jar was built in ({@code <checkout>/devstack/target/sluice.jar}).
   */
  static Path defaultManifest() {
    if (Files.exists(EXAMPLE)) {
      return EXAMPLE;
    }
    try {
      Path jar =
          Path.of(DevCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path checkout = jar.getParent() == null ? null : jar.getParent().getParent();
      if (checkout != null && checkout.getParent() != null) {
        Path candidate = checkout.getParent().resolve(EXAMPLE);
        if (Files.exists(candidate)) {
          return candidate;
        }
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // fall through: report the relative path, which names what is missing
    }
    return EXAMPLE;
  }

  @Override
  public Integer call() throws Exception {
    if (verboseKafka) {
      Configurator.setLevel("kafka", Level.INFO);
      Configurator.setLevel("org.apache.kafka", Level.INFO);
    }
    Path file = manifest != null ? manifest : defaultManifest();
    DevStackSettings settings =
        new DevStackSettings(
            file,
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
            null,
            verboseKafka,
            functions.paths());
    GracefulShutdown shutdown = GracefulShutdown.installed("sluice dev");
    DevStack stack;
    try {
      stack = shutdown.register("dev stack", new DevStack(settings).start());
    } catch (InvalidManifestException e) {
      System.err.println(e.getMessage());
      return ApplyCommand.EXIT_INVALID_MANIFEST;
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
    System.out.print(tryIt(stack.bridgeUrl(), stack.manifest()));
    shutdown.await();
    org.apache.logging.log4j.LogManager.shutdown();
    return 0;
  }
}
