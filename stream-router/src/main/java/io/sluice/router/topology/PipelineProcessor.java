package io.sluice.router.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonOutput;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.StepReport;
import io.sluice.router.RouterMetrics;
import io.sluice.router.route.CompiledRoute;
import io.sluice.router.route.RouteLookup;
import io.sluice.router.topology.PipelineRuns.Outcome;
import io.sluice.router.topology.PipelineRuns.Run;
import io.sluice.router.topology.PipelineRuns.StepRun;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import io.sluice.schemas.pipeline.InvalidPipelineException;
import io.sluice.schemas.pipeline.PipelineDocument;
import io.sluice.schemas.pipeline.PipelineGraph;
import io.sluice.schemas.serde.WireFormat;
import io.sluice.schemas.serde.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs pipelines (docs/PIPELINES.md). Consumes {@code sluice.pipeline.replies}: starts written by
 * the intake and step replies written by workers, both on the partition the run lives on, so one
 * task holds a run's whole state whatever any other topic's partition count. Ready steps become
 * ordinary routed requests into the batcher; the finished run answers once, to the caller's reply
 * destination.
 *
 * <p>Idempotent by construction: a start for a run that exists, and a reply for a step that is not
 * waiting for one, are ignored, so redelivered records neither run a step again nor answer twice. A
 * finished run leaves a marker until {@link #MARKER_TTL} (or its deadline) for that purpose.
 */
final class PipelineProcessor implements Processor<byte[], byte[], String, Outbound<?>> {
  private static final Logger log = LoggerFactory.getLogger(PipelineProcessor.class);

  /** How long a finished run's marker swallows duplicates. */
  static final Duration MARKER_TTL = Duration.ofMinutes(2);

  /** How often run deadlines are checked (wall clock). */
  static final Duration DEADLINE_CHECK = Duration.ofMillis(100);

  private final TopologySettings settings;
  private final RouterMetrics metrics;
  private final Deserializer<InferenceRequest> requests;
  private final Serializer<InferenceRequest> routedSerializer;
  private final Deserializer<InferenceResponse> responses;
  private final Deserializer<RouteConfig> routes;
  private final BatchEnvelope envelope;
  private final Map<String, PipelineGraph> graphs =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PipelineGraph> eldest) {
          return size() > 256;
        }
      };
  private ProcessorContext<String, Outbound<?>> context;
  private Responder responder;
  private RouteLookup lookup;
  private KeyValueStore<String, byte[]> runs;
  private KeyValueStore<String, byte[]> deadlines;
  private AtomicLong runCount;

  PipelineProcessor(
      TopologySettings settings,
      RouterMetrics metrics,
      Deserializer<InferenceRequest> requests,
      Serializer<InferenceRequest> routedSerializer,
      Deserializer<InferenceResponse> responses,
      Deserializer<RouteConfig> routes,
      BatchEnvelope envelope) {
    this.settings = settings;
    this.metrics = metrics;
    this.requests = requests;
    this.routedSerializer = routedSerializer;
    this.responses = responses;
    this.routes = routes;
    this.envelope = envelope;
  }

  @Override
  public void init(ProcessorContext<String, Outbound<?>> context) {
    this.context = context;
    this.responder = new Responder(context, metrics, settings.maxMessageBytes());
    this.lookup = new RouteLookup(context.getStateStore(RouterTopology.ROUTES_STORE), routes);
    this.runs = context.getStateStore(RouterTopology.PIPELINE_RUNS_STORE);
    this.deadlines = context.getStateStore(RouterTopology.PIPELINE_DEADLINES_STORE);
    this.runCount = metrics.pipelineRuns(context.taskId().toString());
    context.schedule(
        DEADLINE_CHECK,
        PunctuationType.WALL_CLOCK_TIME,
        now -> {
          expireDue(now);
          runCount.set(runs.approximateNumEntries());
        });
  }

  @Override
  public void close() {
    if (context != null) {
      metrics.removePipelineRuns(context.taskId().toString());
    }
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata md = context.recordMetadata().orElseThrow();
    String event = SluiceHeaders.get(record.headers(), SluiceHeaders.PIPELINE_EVENT);
    if (PipelineRuns.START.equals(event)) {
      start(record, md);
    } else {
      reply(record, md);
    }
  }

  // ---- starts ----

  private void start(Record<byte[], byte[]> record, RecordMetadata md) {
    InferenceRequest request;
    try {
      request = requests.deserialize(RouterTopology.ROUTED_SUBJECT_TOPIC, record.value());
    } catch (WireFormatException e) {
      // Written by the intake: only a corrupted topic gets here.
      responder.deadLetter(
          Responder.provenance(record, md), ErrorCodes.UNDECODABLE, e.getMessage(), e, null, null);
      return;
    }
    if (request == null || request.getPipeline() == null) {
      responder.deadLetter(
          Responder.provenance(record, md),
          ErrorCodes.INVALID_INPUT,
          "a pipeline start without a pipeline",
          null,
          request == null ? null : request.getRequestId(),
          request == null ? null : request.getApp());
      return;
    }
    String runId = PipelineRuns.runId(request);
    String nonce = SluiceHeaders.get(record.headers(), PipelineRuns.NONCE_HEADER);
    if (nonce == null || !nonce.matches("[0-9a-f]{8}")) {
      nonce = PipelineRuns.nonce(record.value());
    }
    long now = context.currentSystemTimeMs();
    byte[] existing = runs.get(runId);
    if (existing != null) {
      Run before = PipelineRuns.decode(existing);
      if (nonce.equals(before.nonce)) {
        metrics.pipelineStale("duplicate"); // the same start, redelivered
        return;
      }
      if (!before.done) {
        // Two different requests with one id at once: the second cannot be told apart.
        answer(
            request,
            null,
            null,
            Replies.error(
                request,
                ErrorCodes.INVALID_INPUT,
                "request id '"
                    + request.getRequestId()
                    + "' is already in use by a pipeline request that has not finished",
                false,
                null),
            now,
            now);
        return;
      }
      // A new request reusing a finished run's id: the marker gives way.
      deadlines.delete(PipelineRuns.deadlineKey(before.deadlineMs, runId));
    }
    PipelineGraph graph = graphOf(request);
    if (graph == null) {
      answer(
          request,
          null,
          null,
          Replies.error(
              request,
              ErrorCodes.INTERNAL,
              "pipeline '"
                  + request.getPipeline()
                  + "' is no longer in the route of app '"
                  + request.getApp()
                  + "'",
              true,
              null),
          now,
          now);
      return;
    }
    Run run = new Run();
    run.nonce = nonce;
    run.request = record.value();
    run.pipeline = graph.json();
    run.partition = md.partition();
    run.startedAtMs = now;
    long timeout = now + graph.timeoutMs();
    Instant deadline = request.getDeadlineMs();
    run.deadlineMs = deadline == null ? timeout : Math.min(timeout, deadline.toEpochMilli());
    for (PipelineGraph.Step s : graph.steps()) {
      StepRun st = new StepRun();
      st.deployment = s.deployment();
      run.steps.put(s.name(), st);
    }
    deadlines.put(
        PipelineRuns.deadlineKey(run.deadlineMs, runId), runId.getBytes(StandardCharsets.UTF_8));
    advance(runId, run, graph, request, now);
  }

  private PipelineGraph graphOf(InferenceRequest request) {
    CompiledRoute route = lookup.find(request.getApp());
    String json =
        route == null || route.config().getPipelines() == null
            ? null
            : route.config().getPipelines().get(request.getPipeline());
    return json == null ? null : compiled(request.getPipeline(), json);
  }

  private PipelineGraph compiled(String name, String json) {
    PipelineGraph g = graphs.get(json);
    if (g == null) {
      try {
        g = PipelineGraph.parse(name, json);
      } catch (InvalidPipelineException e) {
        return null; // the route validator rejects these before they reach the store
      }
      graphs.put(json, g);
    }
    return g;
  }

  // ---- step replies ----

  private void reply(Record<byte[], byte[]> record, RecordMetadata md) {
    InferenceResponse response;
    try {
      response = responses.deserialize(md.topic(), record.headers(), record.value());
    } catch (WireFormatException e) {
      String stepId = SluiceHeaders.get(record.headers(), SluiceHeaders.REQUEST_ID);
      log.warn(
          "undecodable step reply {}-{}@{} (request id {}): {}",
          md.topic(),
          md.partition(),
          md.offset(),
          stepId,
          e.getMessage());
      responder.deadLetter(
          Responder.provenance(record, md), ErrorCodes.UNDECODABLE, e.getMessage(), e, null, null);
      stepFailed(stepId, ErrorCodes.UNDECODABLE, "its reply could not be decoded: " + e.kind());
      return;
    }
    if (response == null) {
      responder.deadLetter(
          Responder.provenance(record, md),
          ErrorCodes.INVALID_INPUT,
          "null value on " + md.topic(),
          null,
          null,
          null);
      return;
    }
    PipelineRuns.StepId ids = PipelineRuns.split(response.getRequestId());
    if (ids == null) {
      responder.deadLetter(
          Responder.provenance(record, md),
          ErrorCodes.INVALID_INPUT,
          "'" + response.getRequestId() + "' is not the request id of a pipeline step",
          null,
          null,
          response.getApp());
      return;
    }
    Loaded loaded = load(ids);
    if (loaded == null) {
      return;
    }
    long now = context.currentSystemTimeMs();
    PipelineGraph.Step step = loaded.graph.step(ids.step());
    StepRun st = loaded.run.steps.get(ids.step());
    if (!response.getFinalChunk()) {
      forwardChunk(loaded, step, response);
      return;
    }
    if (response.getTimings() != null) {
      st.startedAtMs = response.getTimings().getStartedAtMs();
      st.finishedAtMs = response.getTimings().getFinishedAtMs();
    }
    st.answeredAtMs = now;
    if (response.getStatus() == ResponseStatus.OK) {
      st.outcome = Outcome.OK;
      st.output = PipelineDocument.outputOf(response);
      metrics.pipelineStep(
          loaded.graph.name(), step.name(), st.outcome, "", st.answeredAtMs - st.sentAtMs);
      advance(ids.runId(), loaded.run, loaded.graph, loaded.request, now);
    } else {
      String code =
          response.getError() == null ? ErrorCodes.INTERNAL : response.getError().getCode();
      String message = response.getError() == null ? code : response.getError().getMessage();
      boolean retriable = response.getError() != null && response.getError().getRetriable();
      failStep(ids.runId(), loaded, step, st, code, message, retriable, now);
    }
  }

  /** A run and its step, loaded for a reply; null (and counted) if the reply is stale. */
  private Loaded load(PipelineRuns.StepId id) {
    String stepName = id.step();
    byte[] bytes = runs.get(id.runId());
    if (bytes == null) {
      metrics.pipelineStale("late");
      return null;
    }
    Run run = PipelineRuns.decode(bytes);
    if (!id.nonce().equals(run.nonce)) {
      metrics.pipelineStale("late"); // a step of an earlier request with the same id
      return null;
    }
    if (run.done) {
      metrics.pipelineStale("duplicate");
      return null;
    }
    StepRun st = run.steps.get(stepName);
    if (st == null || !st.outcome.equals(Outcome.SENT)) {
      metrics.pipelineStale("duplicate");
      return null;
    }
    InferenceRequest request =
        requests.deserialize(RouterTopology.ROUTED_SUBJECT_TOPIC, run.request);
    PipelineGraph graph = compiled(request.getPipeline(), run.pipeline);
    if (graph == null || graph.step(stepName) == null) {
      metrics.pipelineStale("duplicate");
      return null;
    }
    return new Loaded(run, graph, request);
  }

  private record Loaded(Run run, PipelineGraph graph, InferenceRequest request) {}

  private void stepFailed(String stepId, String code, String message) {
    PipelineRuns.StepId ids = PipelineRuns.split(stepId);
    if (ids == null) {
      return;
    }
    Loaded loaded = load(ids);
    if (loaded == null) {
      return;
    }
    long now = context.currentSystemTimeMs();
    StepRun st = loaded.run.steps.get(ids.step());
    st.answeredAtMs = now;
    failStep(ids.runId(), loaded, loaded.graph.step(ids.step()), st, code, message, false, now);
  }

  private void failStep(
      String runId,
      Loaded loaded,
      PipelineGraph.Step step,
      StepRun st,
      String code,
      String message,
      boolean retriable,
      long now) {
    if (applyFailure(loaded.graph, step, st, code, message, retriable)) {
      finish(
          runId,
          loaded.run,
          loaded.graph,
          loaded.request,
          stepError(loaded.request, step, st),
          now);
      return;
    }
    advance(runId, loaded.run, loaded.graph, loaded.request, now);
  }

  /** Records a step's failure under its policy; true if the pipeline fails with it. */
  private boolean applyFailure(
      PipelineGraph graph,
      PipelineGraph.Step step,
      StepRun st,
      String code,
      String message,
      boolean retriable) {
    st.errorCode = code;
    st.errorMessage = message;
    st.retriable = retriable;
    switch (step.onFailure()) {
      case SKIP -> st.outcome = Outcome.SKIPPED_ON_FAILURE;
      case DEFAULT -> {
        st.outcome = Outcome.DEFAULTED;
        st.output = step.defaultOutput();
      }
      case FAIL -> st.outcome = Outcome.FAILED;
    }
    long latency =
        st.sentAtMs == null || st.answeredAtMs == null ? -1 : st.answeredAtMs - st.sentAtMs;
    metrics.pipelineStep(graph.name(), step.name(), st.outcome, code, latency);
    return st.outcome.equals(Outcome.FAILED);
  }

  private static InferenceResponse stepError(
      InferenceRequest request, PipelineGraph.Step step, StepRun st) {
    return Replies.error(
        request,
        st.errorCode,
        "step '"
            + step.name()
            + "' (deployment "
            + step.deployment()
            + ") failed: "
            + st.errorCode
            + ": "
            + st.errorMessage,
        st.retriable,
        null);
  }

  /** A token chunk of the streaming step, passed on to a caller that asked for a stream. */
  private void forwardChunk(Loaded loaded, PipelineGraph.Step step, InferenceResponse chunk) {
    InferenceRequest request = loaded.request;
    if (!step.stream() || !request.getStream() || request.getShadow()) {
      return;
    }
    InferenceResponse out =
        InferenceResponse.newBuilder(chunk)
            .setRequestId(request.getRequestId())
            .setApp(request.getApp())
            .setVariant(request.getVariant())
            .setShadow(false)
            .build();
    Headers h = new RecordHeaders();
    Replies.putRequestHeaders(h, request);
    context.forward(
        new Record<>(
            request.getRequestId(),
            new Outbound<>(Replies.topicFor(request), Replies.partitionFor(request), out),
            context.currentSystemTimeMs(),
            h));
  }

  // ---- advancing a run ----

  /** Skips or sends every step whose inputs are ready; answers when the graph is done. */
  private void advance(
      String runId, Run run, PipelineGraph graph, InferenceRequest request, long now) {
    ObjectNode doc = document(run, request);
    boolean changed = true;
    while (changed) {
      changed = false;
      for (PipelineGraph.Step step : graph.steps()) {
        StepRun st = run.steps.get(step.name());
        if (!st.outcome.equals(Outcome.PENDING) || !ready(step, run)) {
          continue;
        }
        if (step.reads().stream().anyMatch(r -> Outcome.skipped(run.steps.get(r).outcome))) {
          skip(graph, step, st);
          changed = true;
          continue;
        }
        if (step.when() != null && !step.when().test(doc)) {
          skip(graph, step, st);
          changed = true;
          continue;
        }
        if (now >= run.deadlineMs) {
          expire(runId, run, graph, request, now);
          return;
        }
        if (!send(runId, run, graph, step, st, request, doc, now)) {
          if (st.outcome.equals(Outcome.FAILED)) {
            finish(runId, run, graph, request, stepError(request, step, st), now);
            return;
          }
          // Skipped or defaulted: steps reading it may now be ready, and read its default.
          doc = document(run, request);
          changed = true;
        }
      }
    }
    boolean allDone = run.steps.values().stream().allMatch(s -> Outcome.finished(s.outcome));
    if (!allDone) {
      runs.put(runId, PipelineRuns.encode(run));
      return;
    }
    JsonNode output = graph.output().render(document(run, request));
    String json = PipelineDocument.write(output);
    InferenceResponse answer;
    if (json.length() > settings.maxMessageBytes() / 2) {
      answer =
          Replies.error(
              request,
              ErrorCodes.OUTPUT_TOO_LARGE,
              "the pipeline's output takes " + json.length() + " bytes as JSON",
              false,
              null);
    } else {
      answer =
          InferenceResponse.newBuilder()
              .setRequestId(request.getRequestId())
              .setApp(request.getApp())
              .setVariant(request.getVariant())
              .setDeployment(null)
              .setShadow(request.getShadow())
              .setStatus(ResponseStatus.OK)
              .setOutput(JsonOutput.newBuilder().setJson(json).build())
              .setTimings(Replies.timings(request, now))
              .build();
    }
    finish(runId, run, graph, request, answer, now);
  }

  private static boolean ready(PipelineGraph.Step step, Run run) {
    for (String r : step.reads()) {
      if (!Outcome.finished(run.steps.get(r).outcome)) {
        return false;
      }
    }
    return true;
  }

  private void skip(PipelineGraph graph, PipelineGraph.Step step, StepRun st) {
    st.outcome = Outcome.SKIPPED;
    metrics.pipelineStep(graph.name(), step.name(), st.outcome, "", -1);
  }

  private static ObjectNode document(Run run, InferenceRequest request) {
    ObjectNode doc = PipelineDocument.of(request);
    ObjectNode steps = (ObjectNode) doc.get("steps");
    run.steps.forEach(
        (name, st) -> {
          if (Outcome.hasOutput(st.outcome)) {
            steps.set(name, st.output);
          }
        });
    return doc;
  }

  /** Sends a step request; false if it could not be sent (the failure is recorded). */
  private boolean send(
      String runId,
      Run run,
      PipelineGraph graph,
      PipelineGraph.Step step,
      StepRun st,
      InferenceRequest request,
      ObjectNode doc,
      long now) {
    String stepId = PipelineRuns.stepRequestId(runId, step.name(), run.nonce);
    InferenceRequest stepRequest =
        InferenceRequest.newBuilder()
            .setRequestId(stepId)
            .setApp(request.getApp())
            .setInput(PipelineDocument.stepInput(step, doc, request.getInput()))
            .setModel(null)
            .setStream(step.stream() && request.getStream() && !request.getShadow())
            .setCreatedAtMs(Instant.ofEpochMilli(now))
            .setDeadlineMs(Instant.ofEpochMilli(run.deadlineMs))
            .setPriority(request.getPriority())
            .setReplyTo(Topics.PIPELINE_REPLIES)
            .setReplyPartition(run.partition)
            .setTraceparent(childTraceparent(request.getTraceparent(), stepId))
            .setAttributes(request.getAttributes())
            .setVariant(request.getVariant())
            .setDeployment(step.deployment())
            .setShadow(false)
            .setPipeline(request.getPipeline())
            .setRoutedAtMs(Instant.ofEpochMilli(now))
            .build();
    byte[] encoded = routedSerializer.serialize(RouterTopology.ROUTED_SUBJECT_TOPIC, stepRequest);
    st.sentAtMs = now;
    int body = encoded.length - WireFormat.HEADER_SIZE;
    int max = envelope.maxBody(step.deployment());
    if (body > max) {
      st.answeredAtMs = now;
      applyFailure(
          graph,
          step,
          st,
          ErrorCodes.PAYLOAD_TOO_LARGE,
          "the step request takes " + body + " bytes encoded; a batch holds at most " + max,
          false);
      return false;
    }
    st.outcome = Outcome.SENT;
    context.forward(
        new Record<>(
            step.deployment(),
            new Outbound<>(null, null, new Routed(encoded)),
            now,
            new RecordHeaders()));
    return true;
  }

  /** W3C: the step is a child span of the caller's span; its span id is derived from its id. */
  static String childTraceparent(String parent, String stepId) {
    if (parent == null || parent.length() < 55) {
      return null;
    }
    long span = Utils.murmur2(stepId.getBytes(StandardCharsets.UTF_8)) & 0xffffffffL;
    span = (span << 32) | (Utils.murmur2(parent.getBytes(StandardCharsets.UTF_8)) & 0xffffffffL);
    if (span == 0) {
      span = 1; // an all-zero span id is invalid
    }
    return "00-"
        + parent.substring(3, 35)
        + "-"
        + String.format("%016x", span)
        + "-"
        + parent.substring(53, 55);
  }

  // ---- ending a run ----

  private void finish(
      String runId,
      Run run,
      PipelineGraph graph,
      InferenceRequest request,
      InferenceResponse answer,
      long now) {
    answer(request, graph, run, answer, run.startedAtMs, now);
    // Keep a marker so that duplicates of this run's records are recognised, then forget it.
    deadlines.delete(PipelineRuns.deadlineKey(run.deadlineMs, runId));
    Run marker = new Run();
    marker.done = true;
    marker.nonce = run.nonce;
    marker.steps = null;
    marker.deadlineMs = Math.min(run.deadlineMs, now + MARKER_TTL.toMillis());
    marker.startedAtMs = run.startedAtMs;
    runs.put(runId, PipelineRuns.encode(marker));
    deadlines.put(
        PipelineRuns.deadlineKey(marker.deadlineMs, runId), runId.getBytes(StandardCharsets.UTF_8));
  }

  private void answer(
      InferenceRequest request,
      PipelineGraph graph,
      Run run,
      InferenceResponse answer,
      long startedAtMs,
      long now) {
    if (run != null && graph != null) {
      answer.setSteps(reports(graph, run));
    }
    String outcome =
        answer.getStatus() == ResponseStatus.OK || answer.getError() == null
            ? "ok"
            : answer.getError().getCode();
    metrics.pipelineEnded(request.getApp(), request.getPipeline(), outcome, now - startedAtMs);
    Headers h = new RecordHeaders();
    Replies.putRequestHeaders(h, request);
    if (answer.getError() != null) {
      SluiceHeaders.put(h, SluiceHeaders.ERROR_CODE, answer.getError().getCode());
      SluiceHeaders.put(h, SluiceHeaders.ERROR_STAGE, Responder.STAGE);
    }
    context.forward(
        new Record<>(
            request.getRequestId(),
            new Outbound<>(Replies.topicFor(request), Replies.partitionFor(request), answer),
            now,
            h));
  }

  private static List<StepReport> reports(PipelineGraph graph, Run run) {
    List<StepReport> out = new ArrayList<>();
    for (PipelineGraph.Step s : graph.steps()) {
      StepRun st = run.steps.get(s.name());
      String outcome = st.outcome.equals(Outcome.SENT) ? Outcome.PENDING : st.outcome;
      out.add(
          StepReport.newBuilder()
              .setName(s.name())
              .setDeployment(s.deployment())
              .setOutcome(outcome)
              .setSentAtMs(st.sentAtMs)
              .setStartedAtMs(st.startedAtMs)
              .setFinishedAtMs(st.finishedAtMs)
              .setAnsweredAtMs(st.answeredAtMs)
              .setErrorCode(st.errorCode)
              .build());
    }
    return out;
  }

  /** Answers {@code deadline_exceeded} for every run past its deadline; removes expired markers. */
  private void expireDue(long now) {
    List<KeyValue<String, byte[]>> due = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it =
        deadlines.range("", PipelineRuns.deadlineUpperBound(now))) {
      while (it.hasNext()) {
        due.add(it.next());
      }
    }
    for (KeyValue<String, byte[]> e : due) {
      deadlines.delete(e.key);
      String runId = new String(e.value, StandardCharsets.UTF_8);
      byte[] bytes = runs.get(runId);
      if (bytes == null) {
        continue;
      }
      Run run = PipelineRuns.decode(bytes);
      if (run.done) {
        if (run.deadlineMs <= now) {
          runs.delete(runId);
        }
        continue;
      }
      if (run.deadlineMs > now) {
        continue; // re-indexed since
      }
      InferenceRequest request =
          requests.deserialize(RouterTopology.ROUTED_SUBJECT_TOPIC, run.request);
      PipelineGraph graph = compiled(request.getPipeline(), run.pipeline);
      expire(runId, run, graph, request, now);
    }
  }

  private void expire(
      String runId, Run run, PipelineGraph graph, InferenceRequest request, long now) {
    List<String> waiting = new ArrayList<>();
    run.steps.forEach(
        (name, st) -> {
          if (st.outcome.equals(Outcome.SENT)) {
            waiting.add("'" + name + "' (deployment " + st.deployment + ")");
          }
        });
    if (waiting.isEmpty()) {
      run.steps.forEach(
          (name, st) -> {
            if (st.outcome.equals(Outcome.PENDING)) {
              waiting.add("'" + name + "' (not started)");
            }
          });
    }
    metrics.expired(request.getApp(), "pipeline");
    InferenceResponse error =
        Replies.error(
            request,
            ErrorCodes.DEADLINE_EXCEEDED,
            "deadline passed while the pipeline waited for step " + String.join(", ", waiting),
            false,
            null);
    if (graph != null) {
      error.setSteps(reports(graph, run));
    }
    answer(request, null, null, error, run.startedAtMs, now);
    deadlines.delete(PipelineRuns.deadlineKey(run.deadlineMs, runId));
    runs.delete(runId);
  }
}
