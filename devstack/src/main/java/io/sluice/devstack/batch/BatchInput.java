package io.sluice.devstack.batch;

import io.sluice.bridge.batch.BatchError;
import io.sluice.bridge.batch.BatchLine;
import io.sluice.bridge.batch.BatchLineException;
import io.sluice.bridge.batch.BatchLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A batch input file (vLLM {@code run-batch}'s and OpenAI's format: one JSON object a line with
 * {@code custom_id}, {@code method}, {@code url}, {@code body}), checked in full before anything is
 * sent and then read again line by line to send, so a large file is never held in memory.
 *
 * <p>Each line is parsed by the bridge's {@link BatchLines}, so a line is accepted here exactly
 * when the bridge's sync route would accept its body. Lines may mix endpoints ({@code
 * /v1/chat/completions}, {@code /v1/completions}, {@code /v1/apps/{app}/infer}), as {@code
 * run-batch} files may.
 */
public final class BatchInput {
  /** At most this many problems are listed; the rest are counted. */
  static final int MAX_PROBLEMS = 50;

  private final Path file;

  /**
   * What the check found.
   *
   * @param lines non-blank lines (one request each)
   * @param apps the apps the lines call, each with how many lines call it
   * @param customIds every line's custom_id
   */
  public record Summary(int lines, Map<String, Integer> apps, Set<String> customIds) {}

  /** Receives one checked line to send. */
  @FunctionalInterface
  public interface LineSink {
    /** Returns false to stop reading (the run was stopped). */
    boolean accept(BatchLine line) throws IOException;
  }

  public BatchInput(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /**
   * Checks every line: JSON, {@code custom_id} present and unique, {@code method}/{@code url}/
   * {@code body} as the bridge's routes want them, and the app each line calls known to {@code
   * appExists}.
   *
   * @throws BatchInputException listing every problem ({@link #MAX_PROBLEMS} at most, the rest
   *     counted), each naming its line
   */
  public Summary check(Predicate<String> appExists) throws IOException {
    List<String> problems = new ArrayList<>();
    int[] more = {0};
    Map<String, Integer> firstLineOf = new HashMap<>();
    Map<String, Integer> apps = new LinkedHashMap<>();
    Map<String, BatchLine> firstLineOfApp = new LinkedHashMap<>();
    int lines = 0;
    int lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String text = r.readLine(); text != null; text = r.readLine()) {
        lineNo++;
        if (BatchLines.isBlank(text)) {
          continue;
        }
        lines++;
        BatchLine line;
        try {
          line = BatchLines.parse(text, lineNo);
        } catch (BatchLineException e) {
          problem(problems, more, e.error());
          continue;
        }
        Integer first = firstLineOf.putIfAbsent(line.customId(), lineNo);
        if (first != null) {
          problem(problems, more, BatchLines.duplicateCustomId(line, first));
        }
        apps.merge(line.app(), 1, Integer::sum);
        firstLineOfApp.putIfAbsent(line.app(), line);
      }
    }
    for (Map.Entry<String, BatchLine> e : firstLineOfApp.entrySet()) {
      if (!appExists.test(e.getKey())) {
        int n = apps.get(e.getKey());
        BatchError err = BatchLines.unknownApp(e.getValue());
        problem(
            problems,
            more,
            new BatchError(
                err.code(),
                err.message()
                    + (n > 1 ? " (the first of " + n + " lines calling it)" : "")
                    + " Apps are declared in the manifest (sluice apply).",
                err.param(),
                err.line()));
      }
    }
    if (lines == 0 && problems.isEmpty()) {
      problems.add(file + ": no lines to send");
    }
    if (more[0] > 0) {
      problems.add("... and " + more[0] + " more problems");
    }
    if (!problems.isEmpty()) {
      throw new BatchInputException(problems);
    }
    return new Summary(lines, Map.copyOf(apps), Set.copyOf(firstLineOf.keySet()));
  }

  private void problem(List<String> problems, int[] more, BatchError e) {
    if (problems.size() >= MAX_PROBLEMS) {
      more[0]++;
      return;
    }
    problems.add(describe(file, e));
  }

  /** {@code in.jsonl line 3: duplicate_custom_id: The custom_id ... (custom_id)}. */
  static String describe(Path file, BatchError e) {
    return file
        + (e.line() == null ? "" : " line " + e.line())
        + ": "
        + e.code()
        + ": "
        + e.message()
        + (e.param() == null ? "" : " (" + e.param() + ")");
  }

  /**
   * Reads the (checked) file again and gives each line whose custom_id is not in {@code skip} to
   * {@code sink}, in file order, until the sink returns false.
   */
  public void forEach(Set<String> skip, LineSink sink) throws IOException {
    int lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String text = r.readLine(); text != null; text = r.readLine()) {
        lineNo++;
        if (BatchLines.isBlank(text)) {
          continue;
        }
        BatchLine line = BatchLines.parse(text, lineNo);
        if (skip.contains(line.customId())) {
          continue;
        }
        if (!sink.accept(line)) {
          return;
        }
      }
    }
  }
}
