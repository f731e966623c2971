package io.sluice.functions.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.common.config.ConfigFlags;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code sluice worker --functions}: the flag, its key, and a path that does not load. */
class WorkerCommandTest {

  @Test
  void theFunctionPathKeyTakesSeveralEntriesSeparatedByThePathSeparator() {
    WorkerConfig c =
        WorkerConfig.of(
            Map.of(
                WorkerConfig.DEPLOYMENT,
                "words",
                WorkerConfig.FUNCTION_PATH,
                "fn.jar" + File.pathSeparator + "lib"));
    assertThat(c.functionPath()).containsExactly(Path.of("fn.jar"), Path.of("lib"));
    assertThat(WorkerConfig.of(Map.of(WorkerConfig.DEPLOYMENT, "words")).functionPath()).isEmpty();
  }

  @Test
  void aFunctionsPathThatDoesNotExistStopsTheWorkerWithItsNameAndTheBadConfigExitCode() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new WorkerCommand()).setErr(new PrintWriter(err, true));
    Path missing = Path.of("target", "no-such-functions.jar");

    int exit =
        cli.execute(
            "--deployment",
            "words",
            "--functions",
            "target/classes",
            "--functions",
            missing.toString(),
            "-D",
            "sluice.management.port=-1");

    assertThat(exit).isEqualTo(ConfigFlags.EXIT_BAD_CONFIG);
    assertThat(err.toString().strip())
        .isEqualTo(
            "function path "
                + missing
                + " ("
                + missing.toAbsolutePath()
                + "): no such file or directory");
  }
}
