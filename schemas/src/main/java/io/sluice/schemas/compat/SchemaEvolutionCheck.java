package io.sluice.schemas.compat;

import io.sluice.schemas.registry.CompatibilityLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * The build check that keeps the wire schemas evolvable: every top-level schema in the current
 * folder must be BACKWARD compatible with its snapshot in the baseline folder, and no snapshotted
 * schema may disappear. Run by the schemas module's build; fails it with a readable report.
 *
 * <pre>{@code
 * java io.sluice.schemas.compat.SchemaEvolutionCheck src/compat-baseline src/main/avro
 * }</pre>
 */
public final class SchemaEvolutionCheck {
  private SchemaEvolutionCheck() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: SchemaEvolutionCheck BASELINE_DIR CURRENT_DIR");
    }
    List<String> problems = check(Path.of(args[0]), Path.of(args[1]), CompatibilityLevel.BACKWARD);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Schema change breaks compatibility with the committed baseline "
              + args[0]
              + ":\n  - "
              + String.join("\n  - ", problems)
              + "\nMake the change compatible (new fields need defaults; do not remove or rename"
              + " fields without aliases), or, for a deliberate break, plan a new topic.");
    }
    System.out.println("[sluice] schema evolution check: all schemas BACKWARD compatible");
  }

  /** The problems found, empty when every schema may follow its snapshot. */
  public static List<String> check(Path baselineDir, Path currentDir, CompatibilityLevel level)
      throws IOException {
    Map<String, Schema> baseline = parseAll(baselineDir);
    Map<String, Schema> current = parseAll(currentDir);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Schema> e : baseline.entrySet()) {
      Schema now = current.get(e.getKey());
      if (now == null) {
        problems.add(e.getKey() + ": removed (readers and writers of it still exist)");
        continue;
      }
      for (String p : SchemaCompatibilityChecker.problems(level, now, List.of(e.getValue()))) {
        problems.add(e.getKey() + ": " + p);
      }
    }
    return problems;
  }

  /**
   * Parses every {@code .avsc} in a folder with one parser, so that files may name types defined in
   * other files; files that fail because a type is not defined yet are retried after the rest.
   */
  public static Map<String, Schema> parseAll(Path dir) throws IOException {
    List<Path> pending;
    try (Stream<Path> files = Files.list(dir)) {
      pending =
          new ArrayList<>(files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList());
    }
    Schema.Parser parser = new Schema.Parser();
    Map<String, Schema> out = new LinkedHashMap<>();
    while (!pending.isEmpty()) {
      List<Path> failed = new ArrayList<>();
      RuntimeException lastError = null;
      for (Path p : pending) {
        try {
          Schema s = parser.parse(Files.readString(p));
          out.put(s.getFullName(), s);
        } catch (RuntimeException e) {
          failed.add(p);
          lastError = e;
        }
      }
      if (failed.size() == pending.size()) {
        throw new IllegalStateException("cannot parse " + failed + ": " + lastError, lastError);
      }
      pending = failed;
    }
    return out;
  }
}
