package io.sluice.devstack.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BatchInputTest {
  @TempDir Path dir;

  private static String line(String customId, String app) {
    return "{\"custom_id\":\""
        + customId
        + "\",\"method\":\"POST\",\"url\":\"/v1/apps/"
        + app
        + "/infer\",\"body\":{\"input\":{\"text\":\"hi\"}}}";
  }

  private static String chat(String customId, String model) {
    return "{\"custom_id\":\""
        + customId
        + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\""
        + model
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}";
  }

  private BatchInput file(String... lines) throws Exception {
    Path p = dir.resolve("in.jsonl");
    Files.write(p, List.of(lines));
    return new BatchInput(p);
  }

  @Test
  void aGoodFileIsSummedUpPerAppAndSkipsBlankLines() throws Exception {
    BatchInput in = file(line("a", "sentiment"), "", chat("b", "chat"), chat("c", "chat"));

    BatchInput.Summary s = in.check(Set.of("sentiment", "chat")::contains);

    assertThat(s.lines()).isEqualTo(3);
    assertThat(s.apps()).containsEntry("sentiment", 1).containsEntry("chat", 2);
    assertThat(s.customIds()).containsExactlyInAnyOrder("a", "b", "c");
    List<String> sent = new ArrayList<>();
    in.forEach(
        Set.of("b"),
        l -> {
          sent.add(l.customId() + "@" + l.line());
          return true;
        });
    assertThat(sent).containsExactly("a@1", "c@4");
  }

  @Test
  void everyBadLineIsNamedBeforeAnythingIsSent() throws Exception {
    BatchInput in =
        file(
            line("a", "sentiment"),
            "not json",
            "{\"method\":\"POST\",\"url\":\"/v1/apps/sentiment/infer\",\"body\":{}}",
            line("a", "sentiment"),
            chat("d", "nope"),
            chat("e", "nope"));

    assertThatThrownBy(() -> in.check(Set.of("sentiment")::contains))
        .isInstanceOfSatisfying(
            BatchInputException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(4)
                    .satisfiesExactly(
                        p -> assertThat(p).contains("line 2: invalid_json_line"),
                        p ->
                            assertThat(p)
                                .contains("line 3: missing_required_parameter")
                                .contains("custom_id"),
                        p ->
                            assertThat(p)
                                .contains("line 4: duplicate_custom_id")
                                .contains("already used on line 1"),
                        p ->
                            assertThat(p)
                                .contains("line 5: model_not_found")
                                .contains("'nope'")
                                .contains("the first of 2 lines")));
  }

  @Test
  void anUnknownAppInThePathIsNamedWithItsLine() throws Exception {
    BatchInput in = file(line("a", "sentiment"), line("b", "ghost"));
    assertThatThrownBy(() -> in.check(Set.of("sentiment")::contains))
        .hasMessageContaining("line 2: unknown_app")
        .hasMessageContaining("'ghost'");
  }

  @Test
  void manyProblemsAreCappedAndCounted() throws Exception {
    String[] lines = new String[BatchInput.MAX_PROBLEMS + 7];
    java.util.Arrays.fill(lines, "{");
    BatchInput in = file(lines);
    assertThatThrownBy(() -> in.check(a -> true))
        .isInstanceOfSatisfying(
            BatchInputException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(BatchInput.MAX_PROBLEMS + 1)
                    .last()
                    .isEqualTo("... and 7 more problems"));
  }

  @Test
  void anEmptyFileIsRefused() throws Exception {
    BatchInput in = file("", " ");
    assertThatThrownBy(() -> in.check(a -> true)).hasMessageContaining("no lines to send");
  }

  @Test
  void runRefusesABadLineBeforeConnecting() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, line("a", "sentiment") + "\n{oops\n");
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new BatchCommand());
    cli.setErr(new PrintWriter(err, true));

    int code =
        cli.execute(
            "run",
            "-i",
            in.toString(),
            "-o",
            dir.resolve("out.jsonl").toString(),
            "--bootstrap-servers",
            "localhost:1");

    assertThat(code).isEqualTo(BatchRunCommand.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("line 2: invalid_json_line");
    assertThat(dir.resolve("out.jsonl")).doesNotExist();
  }

  @Test
  void runRefusesAnExistingOutputWithoutResumeBeforeConnecting() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, line("a", "sentiment") + "\n");
    Path out = dir.resolve("out.jsonl");
    Files.writeString(out, "keep\n");
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new BatchCommand());
    cli.setErr(new PrintWriter(err, true));

    int code =
        cli.execute(
            "run",
            "-i",
            in.toString(),
            "-o",
            out.toString(),
            // Nothing listens here: the refusal must come first.
            "--bootstrap-servers",
            "localhost:1");

    assertThat(code).isEqualTo(BatchRunCommand.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("exists").contains("--resume");
    assertThat(Files.readString(out)).isEqualTo("keep\n");
  }
}
