package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.cli.RouterCommand;
import io.sluice.router.cli.RoutesCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The commands' flags, up to the point where a router would start or a route be published. */
class RouterCommandTest {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  private int execute(Object command, String... args) {
    return new CommandLine(command)
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .execute(args);
  }

  @Test
  void printsTheReferenceOfEveryKey() {
    assertThat(execute(new RouterCommand(), "--print-config-reference")).isZero();
    assertThat(out.toString()).isEqualTo(RouterConfig.definition().toMarkdown());
  }

  @Test
  void aBadValueIsNamedAndExitsTwo() {
    int code = execute(new RouterCommand(), "-D", RouterConfig.PROCESSING_GUARANTEE + "=eos");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains(RouterConfig.PROCESSING_GUARANTEE)
        .contains("exactly_once_v2")
        .doesNotContain("\tat ");
  }

  @Test
  void routesGetTakesTheSameFlags() {
    int code = execute(new RoutesCommand(), "get", "--set", "sluice.nope=1", "some-app");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("sluice.nope");
  }
}
