package io.sluice.loadtest.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Machine-readable results: {@code {"generatedAt", "machine", "runs": [RunResult...]}}. */
public final class JsonReport {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  public static String render(List<RunResult> runs, String generatedAt) {
    try {
      return JSON.writeValueAsString(
          Map.of("generatedAt", generatedAt, "machine", RunResult.thisMachine(), "runs", runs));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render results as JSON", e);
    }
  }

  public static Path write(Path file, List<RunResult> runs, String generatedAt) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, render(runs, generatedAt), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
