package io.sluice.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The batch API end to end against a real broker and an echo worker: bad lines fail the batch in
 * validation with their line numbers; a job whose bridge is closed mid-job (its run state only in
 * memory, lost) is finished by a new bridge instance with exactly one output line per input line;
 * cancel keeps the finished lines; the list paginates.
 */
@SluiceKafka
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BatchIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void filesAndBatchesOverKafkaSurviveABridgeLostMidJob(KafkaCluster kafka) throws Exception {
    String registry = "mock://batch-" + UUID.randomUUID();
    String app = kafka.uniqueId("echo");
    TestBridges.publishRoutes(kafka, registry, List.of(app));
    Map<String, String> s = TestBridges.settings(kafka, registry, kafka.uniqueId("batch"));
    s.put(BridgeConfig.BATCH_WINDOW, "10");
    s.put(BridgeConfig.BATCH_LINE_TIMEOUT_MS, "2000");
    BridgeConfig config = BridgeConfig.of(s);
    HttpClient http = TestBridges.client();
    String url = "/v1/apps/" + app + "/infer";
    try (EchoWorker worker = new EchoWorker(kafka, registry, List.of(app), Set.of())) {
      BridgeServer first = TestBridges.startReady(config, List.of(app));

      // Bad lines: not JSON, no custom_id, a repeated custom_id, another url, an unknown app.
      String chat = "/v1/chat/completions";
      String bad =
          chat("a", app, chat)
              + "{not json\n"
              + "{\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{}}\n"
              + chat("a", app, chat)
              + chat("b", app, "/v1/completions")
              + chat("c", "nope", chat);
      String badFile = upload(http, first, bad);
      JsonNode failed = awaitStatus(http, first, create(http, first, badFile, chat), "failed");
      List<Integer> lines = new ArrayList<>();
      failed.at("/errors/data").forEach(e -> lines.add(e.get("line").asInt()));
      assertThat(lines).containsExactly(2, 3, 4, 5, 6);
      List<String> codes = new ArrayList<>();
      failed.at("/errors/data").forEach(e -> codes.add(e.get("code").asText()));
      assertThat(codes)
          .containsExactly(
              "invalid_json_line",
              "missing_required_parameter",
              "duplicate_custom_id",
              "invalid_url",
              "model_not_found");

      // A 120-line job; the worker answers 40 requests, then drops the rest (a dying worker).
      int n = 120;
      StringBuilder good = new StringBuilder();
      for (int i = 0; i < n; i++) {
        good.append(line("id-" + i, url, i));
      }
      String goodFile = upload(http, first, good.toString());
      worker.budget.set(40);
      String job = create(http, first, goodFile, url);
      Awaitility.await("progress recorded")
          .atMost(WAIT)
          .until(() -> batch(http, first, job).at("/request_counts/completed").asInt() >= 30);
      first.close(); // its run (answered lines, in flight) lived only in memory
      worker.budget.set(Integer.MAX_VALUE);
      BridgeServer second = TestBridges.startReady(config, List.of(app));
      try {
        JsonNode done = awaitStatus(http, second, job, "completed");
        assertThat(done.at("/request_counts/total").asInt()).isEqualTo(n);
        assertThat(done.at("/request_counts/completed").asInt()).isEqualTo(n);
        assertThat(done.get("error_file_id").isNull()).isTrue();
        String[] out = content(http, second, done.get("output_file_id").asText()).split("\n");
        assertThat(out).hasSize(n);
        Set<String> ids = new HashSet<>();
        for (String o : out) {
          JsonNode l = TestBridges.JSON.readTree(o);
          String id = l.get("custom_id").asText();
          ids.add(id);
          assertThat(l.at("/response/status_code").asInt()).isEqualTo(200);
          assertThat("id-" + l.at("/response/body/output/i").asInt()).isEqualTo(id);
        }
        assertThat(ids).hasSize(n);
        // The new instance sent the unanswered lines under the same deterministic ids.
        assertThat(worker.received.keySet().stream().filter(k -> k.startsWith(job + ":")))
            .hasSize(n);

        // Cancel keeps what was finished, and what was in flight finishes: 15 lines answered,
        // then the worker holds the window's 10 (BATCH_WINDOW) until the cancel is in.
        worker.budget.set(15);
        worker.holdOverBudget = true;
        String cancelled = create(http, second, goodFile, url);
        Awaitility.await("some lines answered, the window held")
            .atMost(WAIT)
            .until(
                () ->
                    batch(http, second, cancelled).at("/request_counts/completed").asInt() >= 15
                        && worker.received.keySet().stream()
                                .filter(k -> k.startsWith(cancelled + ":"))
                                .count()
                            >= 25);
        HttpResponse<String> c =
            TestBridges.send(
                http, TestBridges.post(second, "/v1/batches/" + cancelled + "/cancel", ""));
        assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
        assertThat(TestBridges.json(c).get("status").asText()).isEqualTo("cancelling");
        worker.releaseHeld();
        JsonNode end = awaitStatus(http, second, cancelled, "cancelled");
        assertThat(end.at("/request_counts/completed").asInt()).isEqualTo(25);
        assertThat(content(http, second, end.get("output_file_id").asText()).split("\n"))
            .hasSize(25);
        assertThat(worker.received.keySet().stream().filter(k -> k.startsWith(cancelled + ":")))
            .as("lines sent: none after the cancel")
            .hasSize(25);

        // Newest first, two a page.
        JsonNode page = TestBridges.json(TestBridges.get(http, second, "/v1/batches?limit=2"));
        assertThat(page.get("data")).hasSize(2);
        assertThat(page.get("has_more").asBoolean()).isTrue();
        assertThat(page.get("first_id").asText()).isEqualTo(cancelled);
        JsonNode rest =
            TestBridges.json(
                TestBridges.get(
                    http, second, "/v1/batches?limit=2&after=" + page.get("last_id").asText()));
        assertThat(rest.get("data")).hasSize(1);
        assertThat(rest.get("has_more").asBoolean()).isFalse();
      } finally {
        second.close();
      }
    }
  }

  private static String line(String customId, String url, int i) {
    return "{\"custom_id\":\""
        + customId
        + "\",\"method\":\"POST\",\"url\":\""
        + url
        + "\",\"body\":{\"input\":{\"i\":"
        + i
        + "}}}\n";
  }

  private static String chat(String customId, String model, String url) {
    return "{\"custom_id\":\""
        + customId
        + "\",\"method\":\"POST\",\"url\":\""
        + url
        + "\",\"body\":{\"model\":\""
        + model
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n";
  }

  private static String upload(HttpClient http, BridgeServer b, String jsonl) throws Exception {
    String boundary = "sluice" + UUID.randomUUID();
    String body =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
            + "Content-Type: application/jsonl\r\n\r\n"
            + jsonl
            + "\r\n--"
            + boundary
            + "--\r\n";
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + b.port() + "/v1/files"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode f = TestBridges.json(r);
    assertThat(f.get("purpose").asText()).isEqualTo("batch");
    return f.get("id").asText();
  }

  private static String create(HttpClient http, BridgeServer b, String fileId, String endpoint)
      throws Exception {
    HttpResponse<String> r =
        TestBridges.send(
            http,
            TestBridges.post(
                b,
                "/v1/batches",
                "{\"input_file_id\":\""
                    + fileId
                    + "\",\"endpoint\":\""
                    + endpoint
                    + "\",\"completion_window\":\"24h\",\"metadata\":{\"k\":\"v\"}}"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = TestBridges.json(r);
    assertThat(j.get("status").asText()).isEqualTo("validating");
    return j.get("id").asText();
  }

  private static JsonNode batch(HttpClient http, BridgeServer b, String id) throws Exception {
    HttpResponse<String> r = TestBridges.get(http, b, "/v1/batches/" + id);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestBridges.json(r);
  }

  private static JsonNode awaitStatus(HttpClient http, BridgeServer b, String id, String status)
      throws Exception {
    Awaitility.await(id + " " + status)
        .atMost(WAIT)
        .until(() -> batch(http, b, id).get("status").asText().equals(status));
    return batch(http, b, id);
  }

  private static String content(HttpClient http, BridgeServer b, String fileId) throws Exception {
    HttpResponse<String> r = TestBridges.get(http, b, "/v1/files/" + fileId + "/content");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }
}
