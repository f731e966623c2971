package io.sluice.manifest.cli;

import io.sluice.common.config.ConfigException;
import io.sluice.common.config.ConfigFlags;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.manifest.InvalidManifestException;
import io.sluice.manifest.Manifest;
import io.sluice.manifest.ManifestLoader;
import io.sluice.manifest.apply.Applier;
import io.sluice.manifest.apply.Change;
import io.sluice.schemas.serde.SchemaRegistries;
import io.sluice.schemas.serde.SerdeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice apply -f sluice.yaml [--dry-run]}: makes a cluster match a manifest. */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description =
        "Apply a manifest to a cluster: create missing topics with their partitions (adding"
            + " partitions where too few), register every topic's value schema, publish the"
            + " routes. Idempotent: a second run changes nothing.")
public final class ApplyCommand implements Callable<Integer> {
  /** Exit code of a rejected manifest (nothing applied). */
  public static final int EXIT_INVALID_MANIFEST = 3;

  @Spec CommandSpec spec;
  @Mixin ConfigFlags config = new ConfigFlags();

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "The manifest (sluice.yaml; JSON is accepted).")
  Path file;

  @Option(names = "--dry-run", description = "Print what would change; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Manifest manifest;
    try {
      manifest = ManifestLoader.load(file);
    } catch (InvalidManifestException e) {
      err.println(e.getMessage());
      err.flush();
      return EXIT_INVALID_MANIFEST;
    }
    return config.run(
        ConnectionKeys.definition(),
        c -> c,
        c -> {
          try (Applier applier = applier(c)) {
            List<Change> changes;
            try {
              changes = dryRun ? applier.plan(manifest) : applier.apply(manifest);
            } catch (Exception e) {
              return loginFailure(e, err);
            }
            report(out, manifest, changes, dryRun);
            for (String app : applier.unmanagedApps(manifest)) {
              out.println(
                  "note: app '"
                      + app
                      + "' has a route in force but is not in "
                      + file
                      + "; left as is");
            }
          }
          out.flush();
          return 0;
        });
  }

  /**
   * A rejected login or TLS handshake told by the keys to fix, as a bad option is ({@link
   * ConfigFlags#EXIT_BAD_CONFIG}); any other failure is rethrown.
   */
  static int loginFailure(Exception e, PrintWriter err) throws Exception {
    RuntimeException explained = ConnectionKeys.explain(new IllegalStateException(e));
    if (explained instanceof ConfigException) {
      err.println(explained.getMessage());
      err.flush();
      return ConfigFlags.EXIT_BAD_CONFIG;
    }
    throw e;
  }

  /** Prints the changes, one per line, then a summary. */
  static void report(PrintWriter out, Manifest m, List<Change> changes, boolean dryRun) {
    for (Change c : changes) {
      out.println((dryRun ? "would " : "") + c);
    }
    if (changes.isEmpty()) {
      out.println(m.file() + ": no change (" + summary(m) + " already as declared)");
    } else {
      out.println(
          m.file()
              + ": "
              + changes.size()
              + (changes.size() == 1 ? " change" : " changes")
              + (dryRun ? " would be made" : " made")
              + " ("
              + summary(m)
              + ")");
    }
  }

  private static String summary(Manifest m) {
    return m.deployments().size() + " deployments, " + m.apps().size() + " apps";
  }

  /** An applier on the connection keys every Sluice process reads. */
  static Applier applier(SluiceConfig c) {
    SerdeConfig serde = SerdeConfig.from(ConnectionKeys.registrySettings(c));
    return Applier.create(
        ConnectionKeys.clientSettings(c), SchemaRegistries.forConfig(serde), serde);
  }
}
