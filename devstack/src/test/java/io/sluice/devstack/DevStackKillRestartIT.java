package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testkit.FreePorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, defect 9 (dev-stack side): {@code sluice dev} killed with SIGKILL (the whole JVM:
 * broker, router, workers, bridge; no shutdown hook, no commit, no leave-group) and started again
 * on the same data directory. Before the fix the restart took 61.6 s, 41 of them waiting for the
 * dead group members to expire, and latency was normal only after 69 s; the goal is up within 15 s
 * and normal within 20 s. This test measures it on whatever box runs it and prints the times; its
 * bounds are generous (a loaded 2-core CI box), the figures are in the report.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DevStackKillRestartIT {
  private static final Pattern UP = Pattern.compile("dev stack up in (\\d+) ms");
  private static final String RUNNING = "Sluice dev stack is running.";

  @TempDir Path dataDir;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @Test
  void upAndServingSoonAfterAKillOfTheWholeJvm() throws Exception {
    List<String> args = args();
    String bridge = "http://localhost:" + args.get(args.indexOf("--bridge-port") + 1);

    Process first = launch(args, "first");
    try {
      awaitRunning(first, Duration.ofMinutes(2));
      // Serve for a while so every group has members, commits and a batch buffer changelog.
      long servedBefore = 0;
      List<Long> before = new ArrayList<>();
      Awaitility.await("served before the kill")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> callOk(bridge) >= 0);
      for (int i = 0; i < 20; i++) {
        long ms = callOk(bridge);
        if (ms >= 0) {
          before.add(ms);
          servedBefore++;
        }
      }
      assertThat(servedBefore).isGreaterThan(10);
      long baseline = before.stream().mapToLong(Long::longValue).max().orElseThrow();
      System.out.printf(
          "[sluice] dev stack before the kill: %d calls served, max %d ms%n",
          servedBefore, baseline);
    } finally {
      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
    }

    long restartAt = System.nanoTime();
    Process second = launch(args, "second");
    try {
      String log = awaitRunning(second, Duration.ofMinutes(2));
      long upMs = ms(restartAt);
      Matcher m = UP.matcher(log);
      String inside = m.find() ? m.group(1) + " ms" : "?";
      // Served: the first call answered 200. Normal: from then on five calls in a row each answered
      // within 1 s (the simulator's chat replies take a few hundred ms).
      Awaitility.await("served after the restart")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> callOk(bridge) >= 0);
      long servedMs = ms(restartAt);
      int inARow = 0;
      while (inARow < 5 && ms(restartAt) < 180_000) {
        long call = callOk(bridge);
        inARow = call >= 0 && call <= 1000 ? inARow + 1 : 0;
      }
      long normalMs = ms(restartAt);
      System.out.printf(
          "[sluice] dev stack after kill -9: up in %d ms from launch (stack's own start-up %s),"
              + " first call served at %d ms, normal (5 calls in a row under 1 s) at %d ms;"
              + " goal up < 15000 ms, normal < 20000 ms%n",
          upMs, inside, servedMs, normalMs);
      assertThat(inARow).as("normal again after the restart").isEqualTo(5);
      // Before the fix: 61.6 s to start and 69 s to normal on a quiet box.
      assertThat(upMs).as("up after the restart, ms").isLessThan(60_000);
      assertThat(normalMs).as("normal after the restart, ms").isLessThan(75_000);
    } finally {
      second.destroy(); // SIGTERM: a graceful stop this time
      if (!second.waitFor(60, TimeUnit.SECONDS)) {
        second.destroyForcibly();
      }
    }
  }

  /** One chat call through the bridge: its latency in ms if answered 200, else -1. */
  private long callOk(String bridge) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(bridge + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\": \"chat\", \"messages\": [{\"role\": \"user\", \"content\":"
                        + " \"Hello\"}], \"max_tokens\": 4}"))
            .build();
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? ms(t0) : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private List<String> args() throws IOException {
    List<String> a = new ArrayList<>(List.of("dev", "--data-dir", dataDir.toString()));
    for (String port :
        List.of(
            "--kafka-port",
            "--registry-port",
            "--router-port",
            "--bridge-port",
            "--simulator-port",
            "--metrics-port")) {
      a.add(port);
      a.add(Integer.toString(FreePorts.next())); // the same ports for both runs, as a user's stack
    }
    return a;
  }

  private File logFile(String run) {
    return new File("target/devstack-kill-it-" + run + "-" + System.nanoTime() + ".log");
  }

  private final List<File> logs = new ArrayList<>();

  private Process launch(List<String> args, String run) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx768m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SluiceCli.class.getName());
    cmd.addAll(args);
    File log = logFile(run);
    logs.add(log);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }

  /** Waits for the stack's "running" line; returns its log so far. */
  private String awaitRunning(Process p, Duration timeout) {
    File log = logs.get(logs.size() - 1);
    String[] text = {""};
    Awaitility.await("dev stack running (log " + log + ")")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              assertThat(p.isAlive()).as("dev stack process alive, see " + log).isTrue();
              text[0] = Files.readString(log.toPath(), StandardCharsets.UTF_8);
              return text[0].contains(RUNNING);
            });
    return text[0];
  }

  private static long ms(long sinceNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }
}
