package io.sluice.common.config;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The configuration options of every Sluice process command, one spelling everywhere: {@code
 * --config FILE}, {@code -D/--set KEY=VALUE} and {@code --print-config-reference}. Mix it into a
 * picocli command and run the process through {@link #run}:
 *
 * <pre>{@code
 * @Mixin ConfigFlags config = new ConfigFlags();
 *
 * public Integer call() throws Exception {
 *   return config.run(RouterConfig.definition(), RouterConfig::from, c -> {
 *     try (RouterApp router = RouterApp.start(c)) { ... }
 *     return 0;
 *   });
 * }
 * }</pre>
 */
public final class ConfigFlags {
  /** The exit code of a process whose configuration is rejected (as for a bad option). */
  public static final int EXIT_BAD_CONFIG = 2;

  /** What a process does with its validated configuration; returns the exit code. */
  @FunctionalInterface
  public interface Body<T> {
    int run(T config) throws Exception;
  }

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Config file (.properties, .yaml, .json); environment and flags win over it.")
  Path file;

  @Option(
      names = {"-D", "--set"},
      paramLabel = "KEY=VALUE",
      description = "A config key, e.g. -D sluice.kafka.bootstrap-servers=localhost:9092 (wins).")
  Map<String, String> flags = new LinkedHashMap<>();

  @Option(
      names = "--print-config-reference",
      description = "Print every config key (type, default, meaning) as Markdown and exit.")
  boolean printReference;

  /**
   * Sets a key as {@code -D key=value} would, for a command's shortcut options (the bridge's {@code
   * --port}); an explicit {@code -D} of the same key loses to it.
   */
  public ConfigFlags set(String key, String value) {
    flags.put(key, value);
    return this;
  }

  /**
   * The layered configuration, file &lt; environment &lt; flags, parsed and validated.
   *
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public SluiceConfig load(ConfigDef def) {
    return ConfigLoader.load(def, file, System.getenv(), flags);
  }

  /**
   * Runs a process on its typed configuration. With {@code --print-config-reference} prints the key
   * table and returns 0; a configuration rejected by {@link #load} or by {@code typed} is reported
   * as its message alone (no stack trace) and returns {@link #EXIT_BAD_CONFIG}.
   */
  public <T> int run(ConfigDef def, Function<SluiceConfig, T> typed, Body<T> body)
      throws Exception {
    if (printReference) {
      PrintWriter out = out();
      out.print(def.toMarkdown());
      out.flush();
      return 0;
    }
    T config;
    try {
      config = typed.apply(load(def));
    } catch (ConfigException e) {
      PrintWriter err = err();
      err.println(e.getMessage());
      err.flush();
      return EXIT_BAD_CONFIG;
    }
    return body.run(config);
  }

  private PrintWriter out() {
    return command != null
        ? command.commandLine().getOut()
        : new PrintWriter(System.out, true, StandardCharsets.UTF_8);
  }

  private PrintWriter err() {
    return command != null
        ? command.commandLine().getErr()
        : new PrintWriter(System.err, true, StandardCharsets.UTF_8);
  }
}
