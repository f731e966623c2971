package io.sluice.devstack.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputLogTest {
  @TempDir Path dir;

  private static String ok(String id) {
    return "{\"id\":\"r-"
        + id
        + "\",\"custom_id\":\""
        + id
        + "\",\"response\":{\"status_code\":200,\"request_id\":\"x\",\"body\":{}},\"error\":null}";
  }

  private static String failed(String id) {
    return "{\"id\":\"r-"
        + id
        + "\",\"custom_id\":\""
        + id
        + "\",\"response\":{\"status_code\":404,\"request_id\":\"x\",\"body\":{}},\"error\":null}";
  }

  @Test
  void aNewOutputFileIsRefusedWhenItExists() throws Exception {
    Path out = dir.resolve("out.jsonl");
    Files.writeString(out, ok("a") + "\n");
    assertThatThrownBy(() -> OutputLog.create(out))
        .isInstanceOf(BatchInputException.class)
        .hasMessageContaining("exists")
        .hasMessageContaining("--resume");
    assertThat(Files.readString(out)).isEqualTo(ok("a") + "\n");
  }

  @Test
  void appendedLinesAreInTheFileAtOnceWithoutClose() throws Exception {
    Path out = dir.resolve("out.jsonl");
    OutputLog log = OutputLog.create(out);
    log.append(ok("a"));
    log.append(ok("b"));
    // Not closed: what a Ctrl-C leaves is what is on disk now.
    assertThat(Files.readAllLines(out)).containsExactly(ok("a"), ok("b"));
    log.close();
  }

  @Test
  void resumeDropsACutOffLastLineAndAppendsAfterTheLastCompleteOne() throws Exception {
    Path out = dir.resolve("out.jsonl");
    String cut = ok("c").substring(0, 30);
    Files.writeString(out, ok("a") + "\n" + failed("b") + "\n" + cut, StandardCharsets.UTF_8);

    try (OutputLog log = OutputLog.openForResume(out)) {
      assertThat(log.answeredBefore()).containsExactly(Map.entry("a", false), Map.entry("b", true));
      assertThat(log.truncatedBytes()).isEqualTo(cut.length());
      log.append(ok("c"));
    }
    assertThat(Files.readAllLines(out)).containsExactly(ok("a"), failed("b"), ok("c"));
  }

  @Test
  void resumeCountsARepeatedCustomIdOnceWithItsFirstLine() throws Exception {
    Path out = dir.resolve("out.jsonl");
    Files.writeString(out, ok("a") + "\n" + failed("a") + "\n\n" + ok("b") + "\n");
    try (OutputLog log = OutputLog.openForResume(out)) {
      assertThat(log.answeredBefore())
          .containsExactly(Map.entry("a", false), Map.entry("b", false));
      assertThat(log.truncatedBytes()).isZero();
    }
  }

  @Test
  void resumeOfAMissingFileStartsOneAndOfAnEmptyFileFindsNothing() throws Exception {
    Path missing = dir.resolve("new.jsonl");
    try (OutputLog log = OutputLog.openForResume(missing)) {
      assertThat(log.answeredBefore()).isEmpty();
    }
    assertThat(missing).exists();
    try (OutputLog log = OutputLog.openForResume(missing)) {
      assertThat(log.answeredBefore()).isEmpty();
    }
  }

  @Test
  void aCompleteLineThatIsNotAnOutputLineStopsTheResumeNamingIt() throws Exception {
    Path out = dir.resolve("out.jsonl");
    Files.writeString(out, ok("a") + "\nnot json\n");
    assertThatThrownBy(() -> OutputLog.openForResume(out))
        .isInstanceOf(BatchInputException.class)
        .hasMessageContaining("line 2: not JSON");
    Files.writeString(out, ok("a") + "\n{\"id\":\"x\"}\n");
    assertThatThrownBy(() -> OutputLog.openForResume(out))
        .hasMessageContaining("line 2: no custom_id");
  }

  @Test
  void aLineIsAFailureWhenItHasAnErrorOrANon2xxStatus() throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(OutputLog.isFailure(json.readTree(ok("a")))).isFalse();
    assertThat(OutputLog.isFailure(json.readTree(failed("a")))).isTrue();
    assertThat(
            OutputLog.isFailure(
                json.readTree(
                    "{\"custom_id\":\"a\",\"response\":null,\"error\":{\"code\":\"x\"}}")))
        .isTrue();
  }
}
