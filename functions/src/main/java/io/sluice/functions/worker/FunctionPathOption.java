package io.sluice.functions.worker;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --functions PATH} option, one spelling for {@code sluice worker} and {@code sluice
 * dev}: a user's own functions, loaded besides Sluice's ({@link FunctionRegistry#load(List)}).
 *
 * <pre>{@code
 * @Mixin FunctionPathOption functions = new FunctionPathOption();
 * }</pre>
 */
public final class FunctionPathOption {
  @Option(
      names = "--functions",
      paramLabel = "PATH",
      description =
          "Your own functions, besides Sluice's: a jar, a directory of jars or a class directory;"
              + " several separated by '${sys:path.separator}' or given again"
              + " (sluice.worker.function-path; examples/functions/README.md).")
  List<String> paths = new ArrayList<>();

  /** Whether the option was given. */
  public boolean given() {
    return !paths.isEmpty();
  }

  /** The paths as one {@code sluice.worker.function-path} value. */
  public String joined() {
    return String.join(File.pathSeparator, paths);
  }

  /** The paths, each entry split at the path separator. */
  public List<Path> paths() {
    return FunctionRegistry.parsePath(joined());
  }
}
