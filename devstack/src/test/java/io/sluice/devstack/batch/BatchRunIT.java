package io.sluice.devstack.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.common.config.ConfigLoader;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.schemas.Replies;
import io.sluice.schemas.Topics;
import io.sluice.testkit.FakeWorker;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.KafkaClusterExtension;
import io.sluice.testkit.Records;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice batch run} against a real in-JVM broker and a fake worker that answers on each
 * request's {@code replyTo}/{@code replyPartition}, answering every 10th request twice (a
 * redelivery) and refusing the lines whose text is "bad": a 2,000-line run is stopped partway, its
 * output left with a cut-off last line as a kill would leave it, and {@code --resume} finishes it
 * with exactly one line per custom_id.
 */
@ExtendWith(KafkaClusterExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchRunIT {
  private static final int LINES = 2000;
  private static final int BAD_EVERY = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aStoppedRunResumesToExactlyOneLinePerCustomId(KafkaCluster kafka) throws Exception {
    String app = kafka.uniqueId("batchapp");
    kafka.createTopic(Topics.requests(app), 4);
    String replyTopic = kafka.uniqueTopic("sluice.batch.replies");
    String registry = "mock://" + kafka.uniqueId("batch-it");
    Path in = dir.resolve("in.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < LINES; i++) {
      lines.add(
          "{\"custom_id\":\"c"
              + i
              + "\",\"method\":\"POST\",\"url\":\"/v1/apps/"
              + app
              + "/infer\",\"body\":{\"input\":{\"text\":\""
              + (i % BAD_EVERY == 7 ? "bad" : "line " + i)
              + "\"}}}");
    }
    Files.write(in, lines);
    Path out = dir.resolve("out.jsonl");

    try (FakeWorker worker =
        FakeWorker.start(
            FakeWorker.consumerProps(
                kafka.bootstrapServers(), kafka.uniqueId("batch-worker"), "earliest"),
            FakeWorker.producerProps(kafka.bootstrapServers(), 1),
            registry,
            List.of(Topics.requests(app)),
            rec ->
                CompletableFuture.completedFuture(
                    twiceEveryTenth(rec.value(), List.of(answer(rec.value())))))) {
      await().atMost(Duration.ofSeconds(20)).until(worker::assigned);
      SluiceConfig c = connection(kafka, registry);

      // 1. A run stopped partway, as Ctrl-C stops it.
      BatchRunner.Result first;
      Progress progress =
          new Progress(
              new PrintStream(
                  java.io.OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8),
              false,
              LINES,
              0,
              0,
              0);
      try (BatchRunner runner =
              new BatchRunner(
                  c,
                  new BatchRunner.Settings(
                      128, Duration.ofMinutes(1), Duration.ofSeconds(2), replyTopic));
          OutputLog log = OutputLog.create(out)) {
        BatchInput input = new BatchInput(in);
        input.check(runner.knownApps()::contains);
        CompletableFuture<BatchRunner.Result> run =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return runner.run(input, Set.of(), log, progress);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        // A run that fails ends before any share is answered: stop waiting and show why.
        await("a first share of the lines answered, or the run ended")
            .atMost(Duration.ofSeconds(30))
            .until(() -> run.isDone() || progress.answeredThisRun() >= 300);
        assertThat(run)
            .as(
                "the run ended before the stop: %d answered, fake worker answered %d, %d replies"
                    + " refused",
                progress.answeredThisRun(), worker.answered(), worker.failedReplies())
            .isNotDone();
        runner.stop();
        first = run.get(20, TimeUnit.SECONDS);
      }
      assertThat(first.outcome()).isEqualTo(BatchRunner.Outcome.STOPPED);
      List<String> written = Files.readAllLines(out);
      assertThat(written.size()).isBetween(300, LINES - 1);
      assertThat(first.ok() + first.failed()).isEqualTo(written.size());
      // A kill while a line was being written leaves it cut off.
      Files.writeString(
          out, "{\"id\":\"batch_req_x\",\"custom_id\":\"c1", StandardOpenOption.APPEND);

      // 2. The command, resumed.
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new BatchCommand());
      cli.setErr(new PrintWriter(err, true));
      cli.setOut(new PrintWriter(new StringWriter(), true));
      int code =
          cli.execute(
              "run",
              "-i",
              in.toString(),
              "-o",
              out.toString(),
              "--resume",
              "--no-progress",
              "--window",
              "256",
              "--reply-topic",
              replyTopic,
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--schema-registry",
              registry);
      // Lines answered with an error make the exit code 1 (every line has its output line).
      assertThat(code).as(err.toString()).isEqualTo(BatchRunCommand.EXIT_LINES_FAILED);
      assertThat(err.toString())
          .contains("resuming: " + written.size() + " of " + LINES + " lines already answered")
          .contains("dropped a cut-off last line");
    }

    List<String> all = Files.readAllLines(out, StandardCharsets.UTF_8);
    Set<String> ids = new HashSet<>();
    int failed = 0;
    for (String line : all) {
      JsonNode n = JSON.readTree(line);
      String id = n.path("custom_id").asText();
      ids.add(id);
      int status = n.path("response").path("status_code").asInt();
      boolean bad = Integer.parseInt(id.substring(1)) % BAD_EVERY == 7;
      assertThat(status).as(line).isEqualTo(bad ? 422 : 200);
      failed += bad ? 1 : 0;
    }
    assertThat(all).hasSize(LINES);
    assertThat(ids).hasSize(LINES);
    assertThat(failed).isEqualTo(LINES / BAD_EVERY);
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < LINES; i++) {
      expected.add("c" + i);
    }
    assertThat(ids).isEqualTo(expected);
  }

  /**
   * A first run creates its reply topic and then describes it, which the broker may not know yet
   * for a moment: each of 40 runs on a reply topic of its own must start and complete.
   */
  @Test
  void aRunOnAReplyTopicItJustCreatedStarts(KafkaCluster kafka) throws Exception {
    String registry = "mock://" + kafka.uniqueId("batch-it-fresh");
    SluiceConfig c = connection(kafka, registry);
    for (int i = 0; i < 40; i++) {
      String replyTopic = kafka.uniqueTopic("sluice.batch.fresh");
      try (BatchRunner runner =
          new BatchRunner(
              c,
              new BatchRunner.Settings(
                  8, Duration.ofSeconds(10), Duration.ofSeconds(1), replyTopic))) {
        BatchRunner.Result r =
            runner.run(
                send -> {},
                (line, reply) -> {},
                new Progress(
                    new PrintStream(
                        java.io.OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8),
                    false,
                    0,
                    0,
                    0,
                    0));
        assertThat(r.outcome())
            .as("run %d on %s", i, replyTopic)
            .isEqualTo(BatchRunner.Outcome.COMPLETE);
      }
    }
  }

  private static SluiceConfig connection(KafkaCluster kafka, String registry) {
    return ConnectionKeys.definition()
        .parse(
            ConfigLoader.layers(
                ConnectionKeys.definition(),
                null,
                Map.of(),
                Map.of(
                    ConnectionKeys.BOOTSTRAP_SERVERS,
                    kafka.bootstrapServers(),
                    ConnectionKeys.SCHEMA_REGISTRY_URL,
                    registry)));
  }

  /** An echo of the input, or invalid_input for the text "bad". */
  private static InferenceResponse answer(InferenceRequest req) {
    String json = ((JsonInput) req.getInput()).getJson();
    if (json.contains("\"bad\"")) {
      return Replies.error(req, "invalid_input", "bad line", false, null);
    }
    return Records.ok(req).setOutput(new JsonOutput(json)).build();
  }

  /** Every 10th request answered twice, as a worker redelivering after a crash would. */
  private static List<InferenceResponse> twiceEveryTenth(
      InferenceRequest req, List<InferenceResponse> replies) {
    String id = req.getRequestId();
    int line = Integer.parseInt(id.substring(id.lastIndexOf(':') + 1));
    return line % 10 == 0 ? List.of(replies.get(0), replies.get(0)) : replies;
  }
}
