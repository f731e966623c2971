package io.sluice.router;

import static io.sluice.router.Fixtures.batching;
import static io.sluice.router.Fixtures.route;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.ErrorInfo;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.StepReport;
import io.sluice.avro.Timings;
import io.sluice.avro.Variant;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import io.sluice.schemas.pipeline.PipelineDocument;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelines through the whole router topology. The test plays Kafka's part between the router's
 * sinks and sources (start records go back to {@code sluice.pipeline.replies}) and the workers'
 * part (batches in, one reply per request to the request's reply destination).
 */
class PipelineTopologyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APP = "analyze";
  private static final String PIPELINE =
      """
      {"steps": {
         "preprocess": {"deployment": "pre"},
         "sentiment": {"deployment": "senti", "input": {"text": "$/steps/preprocess/text"}},
         "summarize": {"deployment": "llm",
                       "when": {"value": "$/steps/preprocess/words", "gte": 30},
                       "chat": [{"role": "user", "content": "$/steps/preprocess/text"}],
                       "maxTokens": 16, %s}},
       "output": {"length": "$/steps/preprocess/length", "sentiment": "$/steps/sentiment",
                  "summary": "$/steps/summarize/content"}}
      """;

  @TempDir Path stateDir;

  /** The router plus fake workers for deployments pre, senti and llm. */
  private final class Stack implements AutoCloseable {
    final RouterHarness h = new RouterHarness(stateDir);
    final TestInputTopic<String, InferenceRequest> requests = h.requestTopic(APP);
    final TestOutputTopic<byte[], byte[]> pipelineOut =
        h.driver.createOutputTopic(
            Topics.PIPELINE_REPLIES, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    final TestInputTopic<byte[], byte[]> pipelineIn =
        h.driver.createInputTopic(
            Topics.PIPELINE_REPLIES, new ByteArraySerializer(), new ByteArraySerializer());
    final TestOutputTopic<String, InferenceResponse> answers = h.replyTopic(Topics.responses(APP));
    final Map<String, TestOutputTopic<String, InferenceBatch>> batches = new HashMap<>();
    final Map<String, Function<InferenceRequest, InferenceResponse>> functions = new HashMap<>();
    final List<InferenceRequest> seen = new ArrayList<>();

    Stack(String onFailure) {
      RouteConfig route =
          route(
              APP,
              List.of(
                  Variant.newBuilder().setName("v1").setDeployment("").setPipeline("p").build()),
              List.of(),
              Map.of(
                  "pre", batching(1, 0, null),
                  "senti", batching(1, 0, null),
                  "llm", batching(1, 0, null)));
      route.setPipelines(Map.of("p", PIPELINE.formatted(onFailure)));
      h.setRoute(route);
      for (String d : List.of("pre", "senti", "llm")) {
        batches.put(d, h.batchTopic(d));
      }
      functions.put("pre", r -> ok(r, preprocess(text(r))));
      functions.put(
          "senti", r -> ok(r, "{\"label\":\"positive\",\"text\":" + quoted(text(r)) + "}"));
      functions.put("llm", r -> ok(r, "{\"content\":\"short\"}"));
    }

    /**
     * The start records the intake wrote. The driver feeds records written to a source topic back
     * into the topology itself, as Kafka would; these are kept to redeliver them.
     */
    List<TestRecord<byte[], byte[]>> starts = new ArrayList<>();

    void drainStarts() {
      starts.addAll(pipelineOut.readRecordsToList());
    }

    void redeliverStarts() {
      for (TestRecord<byte[], byte[]> r : starts) {
        pipelineIn.pipeInput(new TestRecord<>(r.key(), r.value(), r.headers(), r.timestamp()));
      }
    }

    /** Step requests waiting on deployment {@code d}'s topic. */
    List<InferenceRequest> take(String d) {
      List<InferenceRequest> out = new ArrayList<>();
      for (InferenceBatch b : batches.get(d).readValuesToList()) {
        out.addAll(b.getRequests());
      }
      seen.addAll(out);
      return out;
    }

    /** Answers every waiting step request on {@code d} with its function. */
    int serve(String d) {
      List<InferenceRequest> todo = take(d);
      todo.forEach(r -> deliver(functions.get(d).apply(r)));
      return todo.size();
    }

    void deliver(InferenceResponse reply) {
      Headers headers = new RecordHeaders();
      SluiceHeaders.put(headers, SluiceHeaders.REQUEST_ID, reply.getRequestId());
      pipelineIn.pipeInput(
          new TestRecord<>(
              reply.getRequestId().getBytes(StandardCharsets.UTF_8),
              h.responses.serializer().serialize(Topics.PIPELINE_REPLIES, reply),
              headers,
              Instant.now()));
    }

    void send(String id, String text, Instant deadline) {
      InferenceRequest r =
          InferenceRequest.newBuilder()
              .setRequestId(id)
              .setApp(APP)
              .setInput(JsonInput.newBuilder().setJson("{\"text\":" + quoted(text) + "}").build())
              .setCreatedAtMs(RouterHarness.T0)
              .setDeadlineMs(deadline)
              .setTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
              .build();
      requests.pipeInput(id, r);
      drainStarts();
    }

    @Override
    public void close() {
      h.close();
    }
  }

  private static String text(InferenceRequest r) {
    return PipelineDocument.inputOf(r.getInput()).path("text").asText();
  }

  private static String preprocess(String text) {
    int words = text.isBlank() ? 0 : text.trim().split("\\s+").length;
    return "{\"text\":"
        + quoted(text)
        + ",\"length\":"
        + text.length()
        + ",\"words\":"
        + words
        + "}";
  }

  private static String quoted(String s) {
    return JSON.valueToTree(s).toString();
  }

  static InferenceResponse ok(InferenceRequest r, String json) {
    return InferenceResponse.newBuilder()
        .setRequestId(r.getRequestId())
        .setApp(r.getApp())
        .setDeployment(r.getDeployment())
        .setStatus(ResponseStatus.OK)
        .setOutput(JsonOutput.newBuilder().setJson(json).build())
        .setTimings(Timings.newBuilder().setStartedAtMs(1L).setFinishedAtMs(2L).build())
        .build();
  }

  static InferenceResponse failed(InferenceRequest r, String code) {
    return InferenceResponse.newBuilder()
        .setRequestId(r.getRequestId())
        .setApp(r.getApp())
        .setStatus(ResponseStatus.ERROR)
        .setError(
            ErrorInfo.newBuilder().setCode(code).setMessage("boom").setRetriable(true).build())
        .build();
  }

  private static final String LONG = "word ".repeat(40).trim();

  private static JsonNode output(InferenceResponse r) throws Exception {
    return JSON.readTree(((JsonOutput) r.getOutput()).getJson());
  }

  private static Map<String, String> outcomes(InferenceResponse r) {
    Map<String, String> m = new HashMap<>();
    for (StepReport s : r.getSteps()) {
      m.put(s.getName(), s.getOutcome());
    }
    return m;
  }

  @Test
  void fansOutAfterTheFirstStepAndJoinsBothBranchesIntoOneAnswer() throws Exception {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      s.send("r1", LONG, null);
      assertThat(s.take("senti")).isEmpty();
      assertThat(s.serve("pre")).isEqualTo(1);
      // Both branches are sent at once: neither waits for the other.
      List<InferenceRequest> senti = s.take("senti");
      List<InferenceRequest> llm = s.take("llm");
      assertThat(senti).hasSize(1);
      assertThat(llm).hasSize(1);
      assertThat(s.answers.isEmpty()).isTrue();

      s.deliver(s.functions.get("senti").apply(senti.get(0)));
      assertThat(s.answers.isEmpty()).as("still waiting for summarize").isTrue();
      s.deliver(s.functions.get("llm").apply(llm.get(0)));

      List<InferenceResponse> answers = s.answers.readValuesToList();
      assertThat(answers).hasSize(1);
      InferenceResponse a = answers.get(0);
      assertThat(a.getRequestId()).isEqualTo("r1");
      assertThat(a.getStatus()).isEqualTo(ResponseStatus.OK);
      assertThat(a.getVariant()).isEqualTo("v1");
      JsonNode out = output(a);
      assertThat(out.get("length").asInt()).isEqualTo(LONG.length());
      assertThat(out.at("/sentiment/label").asText()).isEqualTo("positive");
      assertThat(out.at("/sentiment/text").asText()).isEqualTo(LONG);
      assertThat(out.at("/summary").asText()).isEqualTo("short");
      assertThat(outcomes(a))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("preprocess", "ok", "sentiment", "ok", "summarize", "ok"));
      assertThat(a.getSteps())
          .extracting(StepReport::getDeployment)
          .containsExactly("pre", "senti", "llm");
      assertThat(a.getSteps()).allSatisfy(r -> assertThat(r.getStartedAtMs()).isEqualTo(1L));
    }
  }

  @Test
  void stepRequestsCarryTheRunsDeadlineReplyDestinationAndAChildTrace() {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      Instant deadline = RouterHarness.T0.plusSeconds(30);
      s.send("r2", "hello", deadline);
      InferenceRequest step = s.take("pre").get(0);
      assertThat(step.getRequestId()).matches("analyze:r2/preprocess\\.[0-9a-f]{8}");
      assertThat(step.getReplyTo()).isEqualTo(Topics.PIPELINE_REPLIES);
      assertThat(step.getReplyPartition()).isNotNull();
      assertThat(step.getDeadlineMs()).isEqualTo(deadline);
      assertThat(step.getDeployment()).isEqualTo("pre");
      assertThat(step.getPipeline()).isEqualTo("p");
      assertThat(step.getShadow()).isFalse();
      assertThat(step.getTraceparent())
          .startsWith("00-0af7651916cd43dd8448eb211c80319c-")
          .doesNotContain("b7ad6b7169203331")
          .endsWith("-01");
    }
  }

  @Test
  void aConditionalStepWhoseConditionIsFalseIsSkippedAndItsOutputIsNull() throws Exception {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      s.send("r3", "too short to summarise", null);
      s.serve("pre");
      assertThat(s.take("llm")).as("summarize is skipped").isEmpty();
      s.serve("senti");
      InferenceResponse a = s.answers.readValue();
      assertThat(output(a).get("summary").isNull()).isTrue();
      assertThat(outcomes(a))
          .containsEntry("summarize", "skipped")
          .containsEntry("sentiment", "ok");
      assertThat(s.answers.isEmpty()).isTrue();
    }
  }

  @Test
  void aFailedStepUnderFailAnswersAnErrorNamingTheStepItsDeploymentAndCode() {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      s.functions.put("llm", r -> failed(r, ErrorCodes.BACKEND_UNAVAILABLE));
      s.send("r4", LONG, null);
      s.serve("pre");
      s.serve("llm");
      InferenceResponse a = s.answers.readValue();
      assertThat(a.getStatus()).isEqualTo(ResponseStatus.ERROR);
      assertThat(a.getError().getCode()).isEqualTo(ErrorCodes.BACKEND_UNAVAILABLE);
      assertThat(a.getError().getMessage())
          .contains("step 'summarize'", "deployment llm", ErrorCodes.BACKEND_UNAVAILABLE);
      assertThat(a.getError().getRetriable()).isTrue();
      assertThat(outcomes(a)).containsEntry("summarize", "failed");
      // The sentiment reply arriving after the pipeline failed is stale, not a second answer.
      s.serve("senti");
      assertThat(s.answers.isEmpty()).isTrue();
      assertThat(s.h.count("sluice.router.pipeline.stale.replies", "reason", "duplicate"))
          .isEqualTo(1);
      assertThat(
              s.h.count(
                  "sluice.router.pipeline.steps",
                  "step",
                  "summarize",
                  "outcome",
                  "failed",
                  "code",
                  ErrorCodes.BACKEND_UNAVAILABLE))
          .isEqualTo(1);
      assertThat(
              s.h.count(
                  "sluice.router.pipeline.requests",
                  "pipeline",
                  "p",
                  "outcome",
                  ErrorCodes.BACKEND_UNAVAILABLE))
          .isEqualTo(1);
    }
  }

  @Test
  void aFailedStepUnderSkipLetsThePipelineAnswerWithoutIt() throws Exception {
    try (Stack s = new Stack("\"onFailure\": \"skip\"")) {
      s.functions.put("llm", r -> failed(r, ErrorCodes.FUNCTION_ERROR));
      s.send("r5", LONG, null);
      s.serve("pre");
      s.serve("llm");
      s.serve("senti");
      InferenceResponse a = s.answers.readValue();
      assertThat(a.getStatus()).isEqualTo(ResponseStatus.OK);
      assertThat(output(a).get("summary").isNull()).isTrue();
      assertThat(outcomes(a)).containsEntry("summarize", "skipped_on_failure");
      assertThat(a.getSteps().stream().filter(r -> r.getName().equals("summarize")).findFirst())
          .hasValueSatisfying(
              r -> assertThat(r.getErrorCode()).isEqualTo(ErrorCodes.FUNCTION_ERROR));
    }
  }

  @Test
  void aFailedStepUnderDefaultUsesTheDefaultOutput() throws Exception {
    try (Stack s =
        new Stack("\"onFailure\": \"default\", \"default\": {\"content\": \"(no summary)\"}")) {
      s.functions.put("llm", r -> failed(r, ErrorCodes.FUNCTION_ERROR));
      s.send("r6", LONG, null);
      s.serve("pre");
      s.serve("llm");
      s.serve("senti");
      InferenceResponse a = s.answers.readValue();
      assertThat(output(a).get("summary").asText()).isEqualTo("(no summary)");
      assertThat(outcomes(a)).containsEntry("summarize", "defaulted");
    }
  }

  @Test
  void aRunPastItsDeadlineAnswersDeadlineExceededNamingTheStepAndIgnoresTheLateReply() {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      s.send("r7", LONG, RouterHarness.T0.plusMillis(1_000));
      List<InferenceRequest> pre = s.take("pre");
      s.h.advance(1_200);
      InferenceResponse a = s.answers.readValue();
      assertThat(a.getError().getCode()).isEqualTo(ErrorCodes.DEADLINE_EXCEEDED);
      assertThat(a.getError().getMessage()).contains("'preprocess' (deployment pre)");
      assertThat(outcomes(a)).containsEntry("preprocess", "pending");
      // The late reply finds no run: no step is sent, nothing else is answered.
      s.deliver(s.functions.get("pre").apply(pre.get(0)));
      assertThat(s.take("senti")).isEmpty();
      assertThat(s.take("llm")).isEmpty();
      assertThat(s.answers.isEmpty()).isTrue();
      assertThat(s.h.count("sluice.router.pipeline.stale.replies", "reason", "late")).isEqualTo(1);
      assertThat(s.h.count("sluice.router.expired", "app", APP, "stage", "pipeline")).isEqualTo(1);
    }
  }

  @Test
  void aDuplicateStepReplyOrStartRunsNothingTwiceAndThePipelineAnswersOnce() {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      s.send("r8", LONG, null);
      InferenceRequest pre = s.take("pre").get(0);
      InferenceResponse reply = s.functions.get("pre").apply(pre);
      s.deliver(reply);
      s.deliver(reply);
      assertThat(s.take("senti")).hasSize(1);
      assertThat(s.take("llm")).hasSize(1);
      // A redelivered start is recognised too.
      s.drainStarts();
      assertThat(s.starts).hasSize(1);
      s.redeliverStarts();
      // So is the client's record routed a second time (at-least-once intake): same nonce.
      s.send("r8", LONG, null);
      assertThat(s.take("pre")).isEmpty();
      s.seen.stream()
          .filter(r -> !r.getDeployment().equals("pre"))
          .toList()
          .forEach(r -> s.deliver(s.functions.get(r.getDeployment()).apply(r)));
      assertThat(s.answers.readValuesToList()).hasSize(1);
      s.deliver(reply);
      assertThat(s.answers.isEmpty()).isTrue();
      assertThat(s.h.count("sluice.router.pipeline.stale.replies", "reason", "duplicate"))
          .isEqualTo(4);
    }
  }

  @Test
  void anUndecodableStepReplyIsDeadLetteredWithProvenanceAndThePipelineAnswersAnError() {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      TestOutputTopic<String, DeadLetter> dlq = s.h.dlq();
      s.send("r9", LONG, null);
      String stepId = s.take("pre").get(0).getRequestId();
      Headers headers = new RecordHeaders();
      SluiceHeaders.put(headers, SluiceHeaders.REQUEST_ID, stepId);
      byte[] junk = {0, 0, 0, 0, 42, 1, 2, 3};
      s.pipelineIn.pipeInput(new TestRecord<>(null, junk, headers, Instant.now()));
      DeadLetter dl = dlq.readValue();
      assertThat(dl.getErrorCode()).isEqualTo(ErrorCodes.UNDECODABLE);
      assertThat(dl.getSourceTopic()).isEqualTo(Topics.PIPELINE_REPLIES);
      assertThat(dl.getOriginalValue().array()).isEqualTo(junk);
      InferenceResponse a = s.answers.readValue();
      assertThat(a.getError().getCode()).isEqualTo(ErrorCodes.UNDECODABLE);
      assertThat(a.getError().getMessage()).contains("step 'preprocess'", "deployment pre");
      assertThat(s.take("senti")).isEmpty();
    }
  }

  @Test
  void aRecordThatIsNotAStepReplyIsDeadLetteredAndStopsNothing() throws Exception {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      TestOutputTopic<String, DeadLetter> dlq = s.h.dlq();
      InferenceResponse stray =
          InferenceResponse.newBuilder().setRequestId("no-slash").setApp(APP).build();
      s.deliver(stray);
      assertThat(dlq.readValue().getReason()).contains("not the request id of a pipeline step");
      s.send("r10", "fine", null);
      s.serve("pre");
      s.serve("senti");
      assertThat(output(s.answers.readValue()).at("/sentiment/label").asText())
          .isEqualTo("positive");
    }
  }

  @Test
  void theStreamingStepsTokensReachACallerWhoAskedForAStreamThenOneFinalAnswer() throws Exception {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      RouteConfig route =
          route(
              "story",
              List.of(Variant.newBuilder().setName("v").setDeployment("").setPipeline("s").build()),
              List.of(),
              Map.of("pre", batching(1, 0, null), "llm", batching(1, 0, null)));
      route.setPipelines(
          Map.of(
              "s",
              """
              {"steps": {"pre": {"deployment": "pre"},
                         "tell": {"deployment": "llm", "stream": true,
                                  "prompt": "$/steps/pre/text"}},
               "output": {"story": "$/steps/tell/text"}}
              """));
      h.setRoute(route);
      TestOutputTopic<String, InferenceResponse> answers = h.replyTopic(Topics.responses("story"));
      TestInputTopic<byte[], byte[]> replies =
          h.driver.createInputTopic(
              Topics.PIPELINE_REPLIES, new ByteArraySerializer(), new ByteArraySerializer());
      InferenceRequest r =
          InferenceRequest.newBuilder()
              .setRequestId("s1")
              .setApp("story")
              .setStream(true)
              .setInput(JsonInput.newBuilder().setJson("{\"text\":\"once\"}").build())
              .setCreatedAtMs(RouterHarness.T0)
              .build();
      h.requestTopic("story").pipeInput("s1", r);
      InferenceRequest pre = h.batchTopic("pre").readValue().getRequests().get(0);
      assertThat(pre.getStream()).as("only the streaming step streams").isFalse();
      pipe(h, replies, ok(pre, "{\"text\":\"once\"}"));
      InferenceRequest tell = h.batchTopic("llm").readValue().getRequests().get(0);
      assertThat(tell.getStream()).isTrue();
      for (int i = 0; i < 2; i++) {
        InferenceResponse chunk =
            InferenceResponse.newBuilder()
                .setRequestId(tell.getRequestId())
                .setApp("story")
                .setStatus(ResponseStatus.OK)
                .setOutput(io.sluice.avro.CompletionOutput.newBuilder().setText("t" + i).build())
                .setChunkIndex(i)
                .setFinalChunk(false)
                .build();
        pipe(h, replies, chunk);
      }
      InferenceResponse last =
          InferenceResponse.newBuilder()
              .setRequestId(tell.getRequestId())
              .setApp("story")
              .setStatus(ResponseStatus.OK)
              .setOutput(io.sluice.avro.CompletionOutput.newBuilder().setText("t0t1").build())
              .setChunkIndex(2)
              .build();
      pipe(h, replies, last);
      List<InferenceResponse> got = answers.readValuesToList();
      assertThat(got).hasSize(3);
      assertThat(got).allMatch(a -> a.getRequestId().equals("s1"));
      assertThat(got.subList(0, 2)).allMatch(a -> !a.getFinalChunk());
      assertThat(got.get(1).getChunkIndex()).isEqualTo(1);
      assertThat(got.get(2).getFinalChunk()).isTrue();
      assertThat(output(got.get(2)).get("story").asText()).isEqualTo("t0t1");
    }
  }

  @Test
  void anAbTestSplitsBetweenAPipelineAndADeploymentAndAShadowRunsTheWholePipeline()
      throws Exception {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      RouteConfig route =
          route(
              "ab",
              List.of(
                  Variant.newBuilder()
                      .setName("graph")
                      .setDeployment("")
                      .setPipeline("g")
                      .setWeight(1)
                      .build(),
                  Variant.newBuilder()
                      .setName("single")
                      .setDeployment("senti")
                      .setWeight(1)
                      .build()),
              List.of(
                  io.sluice.avro.Shadow.newBuilder()
                      .setDeployment("")
                      .setPipeline("g")
                      .setPercent(100)
                      .build()),
              Map.of("pre", batching(1, 0, null), "senti", batching(1, 0, null)));
      route.setPipelines(
          Map.of(
              "g",
              """
              {"steps": {"pre": {"deployment": "pre"}},
               "output": {"pre": "$/steps/pre"}}
              """));
      h.setRoute(route);
      TestInputTopic<String, InferenceRequest> in = h.requestTopic("ab");
      for (int i = 0; i < 40; i++) {
        in.pipeInput(
            "user-" + i,
            InferenceRequest.newBuilder()
                .setRequestId("ab" + i)
                .setApp("ab")
                .setInput(JsonInput.newBuilder().setJson("{\"text\":\"x\"}").build())
                .setCreatedAtMs(RouterHarness.T0)
                .build());
      }
      List<InferenceRequest> single = new ArrayList<>();
      h.batchTopic("senti").readValuesToList().forEach(b -> single.addAll(b.getRequests()));
      List<InferenceRequest> steps = new ArrayList<>();
      h.batchTopic("pre").readValuesToList().forEach(b -> steps.addAll(b.getRequests()));
      // Every request runs the pipeline as a shadow; about half also run it as their variant.
      long primaryRuns = steps.stream().filter(r -> !r.getRequestId().contains("/shadow:")).count();
      long shadowRuns = steps.stream().filter(r -> r.getRequestId().contains("/shadow:g/")).count();
      assertThat(single.size() + primaryRuns).isEqualTo(40);
      assertThat(single).isNotEmpty();
      assertThat(primaryRuns).isPositive();
      assertThat(shadowRuns).isEqualTo(40);
      assertThat(steps)
          .allMatch(r -> !r.getShadow() && r.getReplyTo().equals(Topics.PIPELINE_REPLIES));
      TestInputTopic<byte[], byte[]> replies =
          h.driver.createInputTopic(
              Topics.PIPELINE_REPLIES, new ByteArraySerializer(), new ByteArraySerializer());
      steps.forEach(r -> pipe(h, replies, ok(r, "{\"n\":1}")));
      List<InferenceResponse> answers = h.replyTopic(Topics.responses("ab")).readValuesToList();
      List<InferenceResponse> shadows =
          h.replyTopic(Topics.shadowResponses("ab")).readValuesToList();
      assertThat(answers).hasSize((int) primaryRuns).allMatch(a -> a.getVariant().equals("graph"));
      assertThat(answers).allMatch(a -> !a.getShadow());
      assertThat(shadows).hasSize(40).allMatch(InferenceResponse::getShadow);
      assertThat(shadows).extracting(InferenceResponse::getRequestId).doesNotHaveDuplicates();
    }
  }

  @Test
  void aRequestIdReusedAfterItsRunFinishedIsANewRunAndTheOldRunsLateRepliesAreNotTakenForIt()
      throws Exception {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      s.send("same", "first text", null);
      InferenceRequest oldPre = s.take("pre").get(0);
      s.deliver(s.functions.get("pre").apply(oldPre));
      s.serve("senti");
      assertThat(output(s.answers.readValue()).at("/sentiment/text").asText())
          .isEqualTo("first text");

      s.send("same", "second text", null);
      InferenceRequest newPre = s.take("pre").get(0);
      assertThat(newPre.getRequestId()).isNotEqualTo(oldPre.getRequestId());
      s.deliver(s.functions.get("pre").apply(oldPre)); // late, from the first run
      assertThat(s.take("senti")).isEmpty();
      s.deliver(s.functions.get("pre").apply(newPre));
      s.serve("senti");
      assertThat(output(s.answers.readValue()).at("/sentiment/text").asText())
          .isEqualTo("second text");
      assertThat(s.answers.isEmpty()).isTrue();
    }
  }

  @Test
  void aSecondRequestWithTheIdOfARunningOneIsRefusedAndTheFirstIsUnharmed() throws Exception {
    try (Stack s = new Stack("\"onFailure\": \"fail\"")) {
      s.send("twice", "first text", null);
      s.send("twice", "other text", null);
      InferenceResponse refused = s.answers.readValue();
      assertThat(refused.getError().getCode()).isEqualTo(ErrorCodes.INVALID_INPUT);
      assertThat(refused.getError().getMessage()).contains("already in use");
      s.serve("pre");
      s.serve("senti");
      assertThat(output(s.answers.readValue()).at("/sentiment/text").asText())
          .isEqualTo("first text");
    }
  }

  @Test
  void aStepThatCannotBeSentTakesItsDefaultAndTheStepReadingItSeesThatDefault() throws Exception {
    try (RouterHarness h = new RouterHarness(stateDir)) {
      RouteConfig route =
          route(
              "big",
              List.of(Variant.newBuilder().setName("v").setDeployment("").setPipeline("d").build()),
              List.of(),
              Map.of("pre", batching(1, 0, null), "senti", batching(1, 0, null)));
      route.setPipelines(
          Map.of(
              "d",
              """
              {"steps": {"pre": {"deployment": "pre", "onFailure": "default",
                                 "default": {"text": "(too long)"}},
                         "senti": {"deployment": "senti", "input": {"t": "$/steps/pre/text"}}},
               "output": {"senti": "$/steps/senti"}}
              """));
      h.setRoute(route);
      // Larger than a batch may hold: the first step's request cannot be sent.
      String huge = "x".repeat(2 * 1024 * 1024);
      h.requestTopic("big")
          .pipeInput(
              "b1",
              InferenceRequest.newBuilder()
                  .setRequestId("b1")
                  .setApp("big")
                  .setInput(JsonInput.newBuilder().setJson("{\"text\":\"" + huge + "\"}").build())
                  .setCreatedAtMs(RouterHarness.T0)
                  .build());
      assertThat(h.batchTopic("pre").isEmpty()).isTrue();
      List<InferenceRequest> senti = new ArrayList<>();
      h.batchTopic("senti").readValuesToList().forEach(b -> senti.addAll(b.getRequests()));
      assertThat(senti).hasSize(1);
      assertThat(text(senti.get(0))).isEmpty(); // its input is {"t": ...}, not {"text": ...}
      assertThat(PipelineDocument.inputOf(senti.get(0).getInput()).path("t").asText())
          .isEqualTo("(too long)");
    }
  }

  private static void pipe(
      RouterHarness h, TestInputTopic<byte[], byte[]> replies, InferenceResponse reply) {
    replies.pipeInput(
        reply.getRequestId().getBytes(StandardCharsets.UTF_8),
        h.responses.serializer().serialize(Topics.PIPELINE_REPLIES, reply));
  }
}
