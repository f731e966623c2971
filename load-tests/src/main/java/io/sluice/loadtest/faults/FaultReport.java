package io.sluice.loadtest.faults;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** A fault run as text for the console and as JSON ({@code faults.json}). */
public final class FaultReport {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .registerModule(
              new SimpleModule()
                  .addSerializer(java.time.Duration.class, ToStringSerializer.instance));

  private FaultReport() {}

  public static String text(FaultRun r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "fault run: %.0f req/s (%.0f%% HTTP), %d routers, %d+%d workers, %d bridges;"
                + " load average %.1f -> %.1f%n",
            r.settings().rate(),
            100 * r.settings().httpFraction(),
            r.settings().routers(),
            r.settings().chatWorkers(),
            r.settings().sentimentWorkers(),
            r.settings().bridges(),
            r.loadAverageBefore(),
            r.loadAverageAfter()));
    b.append(
        String.format(
            "%-6s %7s %8s %12s %9s %11s %5s %6s  %s%n",
            "path",
            "sent",
            "accepted",
            "not accepted",
            "answered",
            "answ. once",
            "dup",
            "lost",
            "error replies"));
    row(b, "all", r.total());
    r.byPath().forEach((path, c) -> row(b, path, c));
    b.append(
        String.format(
            "duplicates %.3f%% of accepted; unmatched replies %d%n",
            r.total().duplicatePercent(), r.unmatchedReplies()));
    if (!r.total().notAccepted().isEmpty()) {
      b.append("not accepted: ").append(r.total().notAccepted()).append('\n');
    }
    if (!r.lostIds().isEmpty()) {
      b.append("lost (first 20): ").append(r.lostIds()).append('\n');
    }
    b.append(
        String.format(
            "%-7s %-12s %9s %10s %10s %12s %13s %10s %11s%n",
            "kill",
            "victim",
            "killed s",
            "restart s",
            "ready ms",
            "baseline p99",
            "threshold ms",
            "worst ms",
            "normal in"));
    for (FaultRun.Kill k : r.kills()) {
      Recovery.Result rec = k.recovery();
      b.append(
          String.format(
              "%-7s %-12s %9.1f %10.1f %10d %12.1f %13.1f %10.1f %11s%n",
              k.kind(),
              k.victim(),
              k.killedAtMs() / 1000.0,
              k.restartedAtMs() / 1000.0,
              k.readyAfterRestartMs(),
              rec.baselineP99Ms(),
              rec.thresholdMs(),
              rec.worstMs(),
              rec.recoveryMs() < 0 ? "never" : rec.recoveryMs() + " ms"));
    }
    b.append("normal: ").append(r.normalDefinition()).append('\n');
    return b.toString();
  }

  private static void row(StringBuilder b, String name, FaultRun.Counts c) {
    long notAccepted = c.notAccepted().values().stream().mapToLong(Long::longValue).sum();
    long errors = c.errorReplies().values().stream().mapToLong(Long::longValue).sum();
    b.append(
        String.format(
            "%-6s %7d %8d %12d %9d %11d %5d %6d  %d %s%n",
            name,
            c.sent(),
            c.accepted(),
            notAccepted,
            c.answered(),
            c.answeredOnce(),
            c.duplicates(),
            c.lost(),
            errors,
            c.errorReplies().isEmpty() ? "" : c.errorReplies().toString()));
  }

  public static String json(FaultRun r) {
    try {
      return JSON.writeValueAsString(
          Map.of("generatedAt", Instant.now().toString(), "faultRun", r));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the fault run as JSON", e);
    }
  }

  public static Path write(Path file, FaultRun r) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, json(r), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
