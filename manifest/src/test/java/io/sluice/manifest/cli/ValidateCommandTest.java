package io.sluice.manifest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = new CommandLine(new ValidateCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void theExampleIsValid() {
    assertThat(run("-f", "../examples/sluice.yaml")).isZero();
    assertThat(out.toString())
        .contains(
            "valid (5 deployments: chat-a, chat-b, embedder, sentiment, preprocess; 5 apps: chat,"
                + " sentiment, embed, analyze, headline; 2 pipelines: analyze, headline)");
  }

  @Test
  void aBadFileExitsThreeWithFileLineAndKey(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(
        f,
        Files.readString(Path.of("../examples/sluice.yaml"))
            .replace("deployment: chat-b", "deployment: chat-c"));
    assertThat(run("-f", f.toString())).isEqualTo(ApplyCommand.EXIT_INVALID_MANIFEST);
    assertThat(err.toString())
        .contains(f + ":")
        .contains("apps.chat.route.variants[1].deployment: 'chat-c' is not a deployment");
  }
}
