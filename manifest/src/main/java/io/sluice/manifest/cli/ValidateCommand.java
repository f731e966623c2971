package io.sluice.manifest.cli;

import io.sluice.manifest.InvalidManifestException;
import io.sluice.manifest.Manifest;
import io.sluice.manifest.ManifestLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice validate -f sluice.yaml}: the manifest checks of {@code sluice apply}, without a
 * cluster (for an editor's save hook or a CI step).
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check a manifest as `sluice apply` would, without connecting to anything.")
public final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "The manifest (sluice.yaml; JSON is accepted).")
  Path file;

  @Override
  public Integer call() {
    try {
      Manifest m = ManifestLoader.load(file);
      spec.commandLine()
          .getOut()
          .println(
              m.file()
                  + ": valid ("
                  + m.deployments().size()
                  + " deployments: "
                  + String.join(", ", m.deployments().keySet())
                  + "; "
                  + m.apps().size()
                  + " apps: "
                  + String.join(", ", m.apps().keySet())
                  + (m.pipelines().isEmpty()
                      ? ""
                      : "; "
                          + m.pipelines().size()
                          + " pipelines: "
                          + String.join(", ", m.pipelines().keySet()))
                  + ")");
      return 0;
    } catch (InvalidManifestException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return ApplyCommand.EXIT_INVALID_MANIFEST;
    }
  }
}
