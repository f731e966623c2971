package io.sluice.devstack.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BatchApiCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LINE =
      "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{}}";

  @TempDir Path dir;
  private MockWebServer server;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdown();
  }

  private int sluice(String... args) {
    CommandLine cli = new CommandLine(new BatchCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--url";
    all[args.length + 1] = server.url("/").toString();
    all[args.length + 2] = "--api-key";
    all[args.length + 3] = "sk-test";
    return cli.execute(all);
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse()
        .setResponseCode(status)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  private static String batch(String status, String extra) {
    return "{\"id\":\"batch_1\",\"object\":\"batch\",\"endpoint\":\"/v1/chat/completions\","
        + "\"completion_window\":\"24h\",\"status\":\""
        + status
        + "\",\"input_file_id\":\"file_in\",\"created_at\":1764615600,"
        + "\"request_counts\":{\"total\":4,\"completed\":2,\"failed\":1}"
        + extra
        + "}";
  }

  private RecordedRequest next() throws InterruptedException {
    return server.takeRequest(5, TimeUnit.SECONDS);
  }

  @Test
  void submitUploadsTheFileAsMultipartThenCreatesTheBatchAndPrintsItsId() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, LINE + "\n" + LINE.replace("\"a\"", "\"b\"") + "\n");
    server.enqueue(json(200, "{\"id\":\"file_in\",\"object\":\"file\",\"purpose\":\"batch\"}"));
    server.enqueue(json(200, batch("validating", "")));

    int code = sluice("submit", "-i", in.toString(), "--metadata", "job=nightly");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString().trim()).isEqualTo("batch_1");
    assertThat(err.toString()).contains("file_in").contains("validating");

    RecordedRequest upload = next();
    assertThat(upload.getMethod()).isEqualTo("POST");
    assertThat(upload.getPath()).isEqualTo("/v1/files");
    assertThat(upload.getHeader("Authorization")).isEqualTo("Bearer sk-test");
    assertThat(upload.getHeader("Content-Type")).startsWith("multipart/form-data; boundary=");
    String multipart = upload.getBody().readUtf8();
    assertThat(multipart)
        .contains("name=\"purpose\"")
        .contains("batch")
        .contains("name=\"file\"; filename=\"in.jsonl\"")
        .contains(LINE);

    RecordedRequest create = next();
    assertThat(create.getPath()).isEqualTo("/v1/batches");
    JsonNode body = JSON.readTree(create.getBody().readUtf8());
    assertThat(body.path("input_file_id").asText()).isEqualTo("file_in");
    // The endpoint defaults to the lines' url.
    assertThat(body.path("endpoint").asText()).isEqualTo("/v1/chat/completions");
    assertThat(body.path("completion_window").asText()).isEqualTo("24h");
    assertThat(body.path("metadata").path("job").asText()).isEqualTo("nightly");
  }

  @Test
  void submitOfAFileMixingUrlsAsksForAnEndpointAndSendsNothing() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, LINE + "\n" + LINE.replace("/v1/chat/completions", "/v1/completions"));

    assertThat(sluice("submit", "-i", in.toString())).isEqualTo(3);
    assertThat(err.toString()).contains("several urls").contains("--endpoint");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void statusShowsTheCountsAsAProgressBarAndTheErrorsWithTheirLines() throws Exception {
    server.enqueue(
        json(
            200,
            batch(
                "failed",
                ",\"errors\":{\"object\":\"list\",\"data\":[{\"code\":\"duplicate_custom_id\","
                    + "\"message\":\"The custom_id 'a' is already used on line 1.\","
                    + "\"param\":\"custom_id\",\"line\":3}]}")));

    assertThat(sluice("status", "batch_1")).isZero();

    assertThat(next().getPath()).isEqualTo("/v1/batches/batch_1");
    assertThat(out.toString())
        .contains("batch_1: failed (endpoint /v1/chat/completions, window 24h)")
        .contains("[##################......] 3/4 75% | completed 2 | failed 1")
        .contains("created: 2025-12-01T19:00:00Z")
        .contains("input file: file_in")
        .contains(
            "line 3: duplicate_custom_id: The custom_id 'a' is already used on line 1."
                + " (custom_id)");
  }

  @Test
  void anOpenAiErrorBodyIsShownWithItsCodeAndExitsOne() {
    server.enqueue(
        json(
            404,
            "{\"error\":{\"message\":\"No batch with id batch_x\",\"type\":\"invalid_request_error\","
                + "\"code\":\"not_found\"}}"));

    assertThat(sluice("status", "batch_x")).isEqualTo(1);
    assertThat(err.toString()).contains("HTTP 404 not_found: No batch with id batch_x");
  }

  @Test
  void cancelPostsToTheCancelRouteAndPrintsTheNewStatus() throws Exception {
    server.enqueue(json(200, batch("cancelling", "")));

    assertThat(sluice("cancel", "batch_1")).isZero();

    RecordedRequest r = next();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getPath()).isEqualTo("/v1/batches/batch_1/cancel");
    assertThat(out.toString()).contains("batch_1: cancelling");
  }

  @Test
  void downloadWritesTheOutputAndErrorFiles() throws Exception {
    server.enqueue(
        json(
            200,
            batch("completed", ",\"output_file_id\":\"file_o\",\"error_file_id\":\"file_e\"")));
    server.enqueue(new MockResponse().setBody("{\"custom_id\":\"a\"}\n"));
    server.enqueue(new MockResponse().setBody("{\"custom_id\":\"b\"}\n"));
    Path o = dir.resolve("out.jsonl");
    Path e = dir.resolve("err.jsonl");

    assertThat(sluice("download", "batch_1", "-o", o.toString(), "--errors", e.toString()))
        .as(err.toString())
        .isZero();

    assertThat(next().getPath()).isEqualTo("/v1/batches/batch_1");
    assertThat(next().getPath()).isEqualTo("/v1/files/file_o/content");
    assertThat(next().getPath()).isEqualTo("/v1/files/file_e/content");
    assertThat(Files.readString(o)).isEqualTo("{\"custom_id\":\"a\"}\n");
    assertThat(Files.readString(e)).isEqualTo("{\"custom_id\":\"b\"}\n");
    assertThat(dir.toFile().list()).containsExactlyInAnyOrder("out.jsonl", "err.jsonl");
  }

  @Test
  void downloadOfABatchWithoutOutputYetSaysSoAndAnExistingFileIsKept() throws Exception {
    server.enqueue(json(200, batch("in_progress", ",\"output_file_id\":null")));
    Path o = dir.resolve("out.jsonl");

    assertThat(sluice("download", "batch_1", "-o", o.toString())).isEqualTo(3);
    assertThat(err.toString()).contains("batch_1 is in_progress and has no output file yet");
    assertThat(o).doesNotExist();

    Files.writeString(o, "keep");
    assertThat(sluice("download", "batch_1", "-o", o.toString())).isEqualTo(3);
    assertThat(err.toString()).contains("exists: --force");
    assertThat(Files.readString(o)).isEqualTo("keep");
  }
}
