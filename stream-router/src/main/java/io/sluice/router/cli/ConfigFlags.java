package io.sluice.router.cli;

import io.sluice.common.config.ConfigDef;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.config.SluiceConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The config options shared by the router's commands: file &lt; environment &lt; flags. */
public final class ConfigFlags {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Config file (.properties, .yaml, .json).")
  Path file;

  @Option(
      names = {"-D", "--set"},
      paramLabel = "KEY=VALUE",
      description = "A config key, e.g. -D sluice.router.max-wait-ms=20 (wins over file and env).")
  Map<String, String> flags = new LinkedHashMap<>();

  /** Loads and validates the layered configuration. */
  public SluiceConfig load(ConfigDef def) {
    return ConfigLoader.load(def, file, System.getenv(), flags);
  }
}
