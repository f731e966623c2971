package io.sluice.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.loadtest.generator.InputKind;
import io.sluice.loadtest.scenario.Scenario;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LoadTestCommandTest {

  private static LoadTestCommand parse(String... args) {
    LoadTestCommand c = new LoadTestCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void customRunFlagsBecomeGeneratorSettings() {
    List<Scenario> plan =
        parse(
                "--app",
                "chat",
                "--rate",
                "75",
                "--duration",
                "2m",
                "--warmup",
                "500ms",
                "--payload-bytes",
                "1024",
                "--keys",
                "zipf:50:1.1",
                "--concurrency",
                "64",
                "--bulk-fraction",
                "0.3",
                "--timeout",
                "10s",
                "--deployments",
                "chat-a,chat-b")
            .plan();

    assertThat(plan).hasSize(1);
    var s = plan.get(0).settings();
    assertThat(s.app()).isEqualTo("chat");
    assertThat(s.phases().get(0).ratePerSecond()).isEqualTo(75);
    assertThat(s.totalDuration()).isEqualTo(Duration.ofMillis(120_500));
    assertThat(s.warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.payloadBytes()).isEqualTo(1024);
    assertThat(s.keys()).isEqualTo("zipf:50:1.1");
    assertThat(s.concurrencyLimit()).isEqualTo(64);
    assertThat(s.bulkFraction()).isEqualTo(0.3);
    assertThat(s.inputKind()).isEqualTo(InputKind.CHAT);
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(plan.get(0).deployments()).containsExactly("chat-a", "chat-b");
  }

  @Test
  void standardExpandsToEveryScenarioScaled() {
    List<Scenario> plan = parse("--scenario", "standard", "--rate-scale", "0.5").plan();
    assertThat(plan)
        .extracting(Scenario::name)
        .containsExactly("steady", "burst", "ab-sticky", "priority-mix", "large-payload");
    assertThat(plan.get(0).settings().phases().get(0).ratePerSecond()).isEqualTo(25.0);
  }

  @Test
  void batchVsInteractiveIsPlannedOnSentimentAndIsNotPartOfStandard() {
    List<Scenario> plan = parse("--scenario", "batch-vs-interactive").plan();
    assertThat(plan).extracting(Scenario::name).containsExactly("batch-vs-interactive");
    assertThat(plan.get(0).settings().app()).isEqualTo("sentiment");
    assertThat(plan.get(0).deployments()).containsExactly("sentiment");
    assertThat(parse("--scenario", "standard").plan())
        .extracting(Scenario::name)
        .doesNotContain("batch-vs-interactive");
  }

  @Test
  void batchVsInteractiveTakesItsAppInputAndDeploymentsFromTheFlags() {
    var cmd =
        parse("--scenario", "batch-vs-interactive", "--app", "slot-bound", "--input", "prompt");
    List<Scenario> plan = cmd.plan();
    assertThat(plan.get(0).settings().app()).isEqualTo("slot-bound");
    assertThat(plan.get(0).settings().inputKind()).isEqualTo(InputKind.PROMPT);
    assertThat(plan.get(0).deployments()).containsExactly("slot-bound");
    var lines = io.sluice.loadtest.scenario.BatchVsInteractive.jobLines(cmd.bviSubject(), 3, 16, 0);
    assertThat(lines)
        .allSatisfy(
            r -> {
              assertThat(r.app()).isEqualTo("slot-bound");
              assertThat(r.inputKind()).isEqualTo(InputKind.PROMPT);
              assertThat(r.priority()).isEqualTo(io.sluice.avro.Priority.BULK);
            });
    assertThat(
            parse("--scenario", "batch-vs-interactive", "--app", "chat", "--deployments", "chat-a")
                .plan()
                .get(0)
                .deployments())
        .containsExactly("chat-a");
  }

  @Test
  void badValuesStopWithAMessageNamingThem() {
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new LoadTestCommand()).setErr(new PrintWriter(err));
    int code = cl.execute("--duration", "soon", "--no-progress");
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("'soon' is not a duration");

    err.getBuffer().setLength(0);
    code = cl.execute("--entry", "carrier-pigeon", "--no-progress");
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("--entry 'carrier-pigeon' is not allowed");
  }
}
