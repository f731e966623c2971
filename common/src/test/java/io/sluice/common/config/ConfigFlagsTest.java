package io.sluice.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class ConfigFlagsTest {
  static final String THREADS = "sluice.test.threads";
  static final String NAME = "sluice.test.name";

  static ConfigDef definition() {
    return new ConfigDef()
        .define(THREADS, ConfigDef.Type.INT, 2, Validators.atLeast(1), "Threads.")
        .define(NAME, ConfigDef.Type.STRING, "default", "Name.");
  }

  /** A process command as the router's and the bridge's are written. */
  @Command(name = "test")
  static final class TestCommand implements Callable<Integer> {
    @Mixin ConfigFlags config = new ConfigFlags();
    SluiceConfig ran;

    @Override
    public Integer call() throws Exception {
      return config.run(
          definition(),
          c -> c,
          c -> {
            ran = c;
            return 0;
          });
    }
  }

  @TempDir Path tmp;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  private int execute(TestCommand command, String... args) {
    return new CommandLine(command)
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .execute(args);
  }

  @Test
  void shortAndLongFlagsWinOverTheFile() throws IOException {
    Path file = tmp.resolve("test.properties");
    Files.writeString(file, THREADS + "=3\n" + NAME + "=from-file\n");
    TestCommand command = new TestCommand();
    int code = execute(command, "--config", file.toString(), "-D", THREADS + "=4");
    assertThat(code).isZero();
    assertThat(command.ran.getInt(THREADS)).isEqualTo(4);
    assertThat(command.ran.getString(NAME)).isEqualTo("from-file");

    TestCommand again = new TestCommand();
    assertThat(execute(again, "--set", NAME + "=from-flag")).isZero();
    assertThat(again.ran.getString(NAME)).isEqualTo("from-flag");
    assertThat(again.ran.getInt(THREADS)).isEqualTo(2);
  }

  @Test
  void aBadValueIsItsMessageAndExitCodeTwo() {
    TestCommand command = new TestCommand();
    int code = execute(command, "-D", THREADS + "=0");
    assertThat(code).isEqualTo(ConfigFlags.EXIT_BAD_CONFIG).isEqualTo(2);
    assertThat(command.ran).isNull();
    assertThat(err.toString())
        .contains(THREADS)
        .contains("'0'")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void anUnknownKeyIsRejectedTheSameWay() {
    assertThat(execute(new TestCommand(), "-D", "sluice.test.nope=1")).isEqualTo(2);
    assertThat(err.toString()).contains("sluice.test.nope");
  }

  @Test
  void theReferenceIsPrintedWithoutRunning() {
    TestCommand command = new TestCommand();
    assertThat(execute(command, "--print-config-reference")).isZero();
    assertThat(command.ran).isNull();
    assertThat(out.toString()).isEqualTo(definition().toMarkdown());
  }

  @Test
  void aShortcutWinsOverTheSameKeySetWithD() {
    TestCommand command = new TestCommand();
    new CommandLine(command).parseArgs("-D", NAME + "=flag");
    command.config.set(NAME, "shortcut");
    assertThat(command.config.load(definition()).getString(NAME)).isEqualTo("shortcut");
  }
}
