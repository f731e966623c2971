package io.sluice.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command's flags, up to the point where a bridge would start. */
class BridgeCommandTest {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  private int execute(String... args) {
    return new CommandLine(new BridgeCommand())
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .execute(args);
  }

  @Test
  void printsTheReferenceOfEveryKey() {
    assertThat(execute("--print-config-reference")).isZero();
    assertThat(out.toString()).isEqualTo(BridgeConfig.definition().toMarkdown());
  }

  @Test
  void aBadValueSetWithDIsNamedAndExitsTwo() {
    int code =
        execute(
            "-D", BridgeConfig.REPLICA_INDEX + "=2", "--set", BridgeConfig.REPLICA_COUNT + "=2");
    assertThat(code).isEqualTo(2);
    // Read as config keys (not rejected as unknown options) and refused by BridgeConfig itself.
    assertThat(err.toString())
        .contains(BridgeConfig.REPLICA_INDEX)
        .contains("must be below")
        .doesNotContain("Unknown option")
        .doesNotContain("\tat ");
  }

  @Test
  void thePortShortcutIsValidatedLikeTheKey() {
    assertThat(execute("--port", "70000")).isEqualTo(2);
    assertThat(err.toString()).contains(BridgeConfig.PORT).contains("70000");
  }
}
