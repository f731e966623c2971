package io.sluice.loadtest.faults;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Sluice process ({@code sluice router}, {@code sluice worker --deployment ...}, {@code sluice
 * bridge}) in a JVM of its own, as a pod: started, SIGKILLed ({@link Process#destroyForcibly()},
 * which is {@code kill -9} on Linux: no shutdown hook, no commit, no leave-group), and started
 * again with the same arguments (so the same static instance id, as a restarted pod keeps its
 * name).
 */
final class Child implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  final String name;
  final Kind kind;
  private final String command;
  private final List<String> args;
  private final int readyPort;
  private final Path logDir;
  private Process process;
  private int starts;

  /** What a child runs. */
  enum Kind {
    ROUTER,
    WORKER,
    BRIDGE
  }

  Child(String name, Kind kind, String command, List<String> args, int readyPort, Path logDir) {
    this.name = name;
    this.kind = kind;
    this.command = command;
    this.args = List.copyOf(args);
    this.readyPort = readyPort;
    this.logDir = logDir;
  }

  synchronized void start() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small, quick-starting JVMs: seven of them share two cores with the load and the broker.
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SluiceProcess.class.getName());
    cmd.add(command);
    cmd.addAll(args);
    starts++;
    File log = logDir.resolve(name + "-" + starts + ".log").toFile();
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }

  /** SIGKILL, and waits until the process is gone. */
  synchronized void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** Whether {@code /readyz} answers 200. */
  boolean ready() {
    if (!alive()) {
      return false;
    }
    try {
      HttpResponse<Void> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + readyPort + "/readyz"))
                  .timeout(Duration.ofSeconds(2))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits for {@link #ready()}; returns how long it took, or throws naming the log. */
  long awaitReady(Duration timeout) throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    while (!ready()) {
      if (!alive()) {
        throw new IllegalStateException(name + " exited; see " + logDir.resolve(name + "-*.log"));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + " not ready within " + timeout + "; see " + logDir.resolve(name + "-*.log"));
      }
      Thread.sleep(50);
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  /** SIGTERM: a graceful stop at the end of the run. */
  @Override
  public synchronized void close() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
