package io.sluice.functions.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sluice worker} as a process, as a pod runs it: not ready before it has reached the broker
 * (here there is none), and a SIGTERM drains and exits 0, not the JVM's 143.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerProcessTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void notReadyBeforeTheBrokerIsReachedAndSigtermExitsZero() throws Exception {
    int management = freePort();
    int noBroker = freePort(); // nothing listens there
    File log = new File("target", "worker-process-test.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(WorkerCommandMain.class.getName());
    cmd.addAll(List.of("--deployment", "words"));
    for (String kv :
        List.of(
            WorkerConfig.FUNCTION + "=preprocess",
            "sluice.kafka.bootstrap-servers=localhost:" + noBroker,
            WorkerConfig.MANAGEMENT_PORT + "=" + management,
            // The start-up login check gives up on an unreachable broker after this, not 5 s.
            WorkerConfig.CONSUMER_PREFIX + "default.api.timeout.ms=1000",
            WorkerConfig.CONSUMER_PREFIX + "request.timeout.ms=1000")) {
      cmd.addAll(List.of("-D", kv));
    }
    Process worker = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    try {
      await("management endpoints up")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                assertThat(worker.isAlive()).as(Files.readString(log.toPath())).isTrue();
                return get(management, "/healthz").statusCode() == 200;
              });

      HttpResponse<String> ready = get(management, "/readyz");
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
      assertThat(ready.body()).contains("\"broker\":\"not reached yet\"");
      String metrics = get(management, "/metrics").body();
      assertThat(metrics)
          .containsPattern("sluice_worker_up\\{[^}]*deployment=\"words\"[^}]*\\} 0\\.0")
          .contains("sluice_worker_starts_total{")
          .contains("sluice_worker_start_time_seconds{");

      worker.destroy(); // SIGTERM on Unix, as the kubelet sends
      assertThat(worker.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(log.toPath())).isTrue();
      assertThat(worker.exitValue()).as(Files.readString(log.toPath())).isZero();
    } finally {
      worker.destroyForcibly();
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
