package io.sluice.router.topology;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Shadow;
import io.sluice.avro.Variant;
import io.sluice.router.RouterMetrics;
import io.sluice.router.batch.RoutedMeta;
import io.sluice.router.route.CompiledRoute;
import io.sluice.router.route.RouteLookup;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import io.sluice.schemas.registry.SchemaRegistryClient;
import io.sluice.schemas.serde.WireFormat;
import io.sluice.schemas.serde.WireFormatException;
import java.time.Instant;
import java.util.OptionalInt;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateless first half of the router, over every request topic whatever its partition count:
 * decodes a raw request record, validates every field the client controls (undecodable or invalid
 * records become dead letters, with an error reply where a valid reply destination is known),
 * answers expired and unknown-app requests, picks the variant and shadows, and forwards each routed
 * request (and shadow copy), Avro-encoded, keyed by its stickiness key, to the repartition topic in
 * front of the {@link BatchingProcessor}.
 *
 * <p>Values are read as bytes and decoded here rather than by the source's deserializer so that a
 * bad record is dead-lettered with its untouched bytes and provenance and the partition moves on. A
 * registry or metadata look-up that fails is NOT a bad record: that exception propagates and the
 * record is retried (see {@code RecordFailureHandlers}).
 */
final class RequestIntake implements Processor<byte[], byte[], String, Outbound<?>> {
  private static final Logger log = LoggerFactory.getLogger(RequestIntake.class);

  private final TopologySettings settings;
  private final RouterMetrics metrics;
  private final Deserializer<InferenceRequest> requests;
  private final RoutedEncoder encoder;
  private final Deserializer<RouteConfig> routes;
  private final TopicPartitions topics;
  private final BatchEnvelope envelope;
  private ProcessorContext<String, Outbound<?>> context;
  private Responder responder;
  private RouteLookup lookup;

  RequestIntake(
      TopologySettings settings,
      RouterMetrics metrics,
      Deserializer<InferenceRequest> requests,
      Serializer<InferenceRequest> routedSerializer,
      SchemaRegistryClient registry,
      Deserializer<RouteConfig> routes,
      TopicPartitions topics,
      BatchEnvelope envelope) {
    this.settings = settings;
    this.metrics = metrics;
    this.requests = requests;
    this.encoder = new RoutedEncoder(routedSerializer, registry);
    this.routes = routes;
    this.topics = topics;
    this.envelope = envelope;
  }

  @Override
  public void init(ProcessorContext<String, Outbound<?>> context) {
    this.context = context;
    this.responder = new Responder(context, metrics, settings.maxMessageBytes());
    this.lookup = new RouteLookup(context.getStateStore(RouterTopology.ROUTES_STORE), routes);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata md = context.recordMetadata().orElseThrow();
    String app = Topics.appOfRequestTopic(md.topic());
    InferenceRequest request;
    try {
      request = requests.deserialize(md.topic(), record.headers(), record.value());
    } catch (WireFormatException e) {
      undecodable(record, md, app, e);
      return;
    }
    if (request == null) {
      reject(record, md, null, app, ErrorCodes.INVALID_INPUT, "null value on a request topic");
      return;
    }
    // Whether every field the router does not set is still as the client's bytes hold it: then the
    // routed record reuses those bytes (RoutedEncoder).
    boolean asSent = app.equals(request.getApp());
    // The topic names the app; a record that says otherwise is served as the topic's app.
    request.setApp(app);
    long now = context.currentSystemTimeMs();
    String problem = RequestChecks.fields(request, now);
    if (problem != null) {
      reject(record, md, request, app, ErrorCodes.INVALID_INPUT, problem);
      return;
    }
    if (request.getTraceparent() != null
        && !RequestChecks.validTraceparent(request.getTraceparent())) {
      request.setTraceparent(null); // W3C: an invalid traceparent is dropped, never propagated
      asSent = false;
    }
    // Set by the router: whatever the client put there is overwritten.
    request.setVariant(null);
    request.setDeployment(null);
    request.setShadow(false);
    request.setRoutedAtMs(null);
    if (Replies.isExpired(request, now)) {
      metrics.expired(app, "route");
      replyIfPossible(request, ErrorCodes.DEADLINE_EXCEEDED, "deadline passed before routing", now);
      return;
    }
    CompiledRoute route = lookup.find(app);
    if (route == null) {
      reject(
          record,
          md,
          request,
          app,
          ErrorCodes.UNKNOWN_APP,
          "no route config for app '" + app + "' in " + Topics.ROUTES);
      return;
    }
    boolean clientChoseTopic = request.getReplyTo() != null;
    if (!clientChoseTopic && route.config().getReplyTopic() != null) {
      request.setReplyTo(route.config().getReplyTopic());
      asSent = false;
    }
    problem = replyDestinationProblem(request, clientChoseTopic);
    if (problem != null) {
      reject(record, md, request, app, ErrorCodes.INVALID_INPUT, problem);
      return;
    }
    byte[] sticky = route.stickyKey(record.key(), request);
    Variant variant = route.pick(sticky);
    request.setVariant(variant.getName());
    request.setRoutedAtMs(Instant.ofEpochMilli(now));
    int tailStart = asSent ? encoder.tailStart(record.value()) : -1;
    if (variant.getPipeline() != null) {
      request.setPipeline(variant.getPipeline());
      request.setDeployment(null);
      if (!startPipeline(request, record.value(), tailStart, now)) {
        reject(
            record,
            md,
            request,
            app,
            ErrorCodes.INTERNAL,
            Topics.PIPELINE_REPLIES + " does not exist: run `sluice apply` for app '" + app + "'");
        return;
      }
      metrics.requestRouted(app, variant.getName());
      shadows(route, sticky, request, record.value(), tailStart, now);
      return;
    }
    request.setDeployment(variant.getDeployment());
    byte[] encoded = encoder.encode(request, record.value(), tailStart);
    int body = encoded.length - WireFormat.HEADER_SIZE;
    int max = envelope.maxBody(variant.getDeployment());
    if (body > max) {
      reject(
          record,
          md,
          request,
          app,
          ErrorCodes.PAYLOAD_TOO_LARGE,
          "the request takes "
              + body
              + " bytes encoded; a batch of deployment '"
              + variant.getDeployment()
              + "' holds at most "
              + max
              + " (sluice.kafka.max-message-bytes)");
      return;
    }
    metrics.requestRouted(app, variant.getName());
    // Keyed by deployment: all its requests meet in one batching task's buffer (keyed by request,
    // they were spread over every task, and each task's batch held a share of the traffic).
    forwardRouted(variant.getDeployment(), encoded, RoutedMeta.of(request), now);
    shadows(route, sticky, request, record.value(), tailStart, now);
  }

  /**
   * Shadow copies: to a deployment's batch path, or as a shadow run of a pipeline. {@code
   * tailStart}: where the router's fields begin in {@code original}, or -1 ({@link RoutedEncoder}).
   */
  private void shadows(
      CompiledRoute route,
      byte[] sticky,
      InferenceRequest request,
      byte[] original,
      int tailStart,
      long now) {
    String app = request.getApp();
    for (Shadow s : route.shadowsFor(sticky)) {
      if (s.getPipeline() != null) {
        InferenceRequest copy =
            InferenceRequest.newBuilder(request)
                .setDeployment(null)
                .setPipeline(s.getPipeline())
                .setShadow(true)
                .build();
        if (startPipeline(copy, original, tailStart, now)) {
          metrics.shadowCopy(app, "pipeline:" + s.getPipeline());
        }
        continue;
      }
      InferenceRequest copy =
          InferenceRequest.newBuilder(request)
              .setDeployment(s.getDeployment())
              .setPipeline(null)
              .setShadow(true)
              .build();
      byte[] copyBytes = encoder.encode(copy, original, tailStart);
      if (copyBytes.length - WireFormat.HEADER_SIZE > envelope.maxBody(s.getDeployment())) {
        continue; // a shadow copy is best effort; its caller has the primary's answer
      }
      metrics.shadowCopy(app, s.getDeployment());
      forwardRouted(s.getDeployment(), copyBytes, RoutedMeta.of(copy), now);
    }
  }

  /**
   * Writes a pipeline start to {@code sluice.pipeline.replies}, on the partition its run will live
   * on (chosen by run id); false if the topic does not exist. The start's nonce is a hash of the
   * client's record as it was read, so a record routed twice (at-least-once) starts one run.
   */
  private boolean startPipeline(
      InferenceRequest request, byte[] original, int tailStart, long now) {
    OptionalInt n = topics.partitions(Topics.PIPELINE_REPLIES);
    if (n.isEmpty()) {
      return false;
    }
    String runId = PipelineRuns.runId(request);
    int partition = Math.floorMod(runId.hashCode(), n.getAsInt());
    byte[] encoded = encoder.encode(request, original, tailStart);
    Headers h = new RecordHeaders();
    SluiceHeaders.put(h, SluiceHeaders.PIPELINE_EVENT, PipelineRuns.START);
    SluiceHeaders.put(h, PipelineRuns.NONCE_HEADER, PipelineRuns.nonce(original));
    Replies.putRequestHeaders(h, request);
    context.forward(
        new Record<>(
            runId,
            new Outbound<>(Topics.PIPELINE_REPLIES, partition, new PipelineStart(encoded)),
            now,
            h));
    return true;
  }

  private void forwardRouted(String key, byte[] encoded, RoutedMeta meta, long now) {
    // Fresh headers: the client's headers stay behind (they could be up to a record's size). The
    // batcher reads what it needs from the meta header instead of decoding the request again.
    Headers h = new RecordHeaders();
    h.add(RoutedMeta.HEADER, meta.toHeader());
    context.forward(new Record<>(key, new Outbound<>(null, null, new Routed(encoded)), now, h));
  }

  /**
   * Why the request's reply destination cannot be written, or null. A topic the client named must
   * exist; the app's own reply topic (set by the operator's route) is not second-guessed.
   */
  private String replyDestinationProblem(InferenceRequest request, boolean clientChoseTopic) {
    if (!clientChoseTopic && request.getReplyPartition() == null) {
      return null;
    }
    String topic = Replies.topicFor(request);
    OptionalInt n = topics.partitions(topic);
    if (n.isEmpty()) {
      return clientChoseTopic
          ? "replyTo '" + topic + "' does not exist"
          : "replyPartition "
              + request.getReplyPartition()
              + " given, but "
              + topic
              + " does not exist";
    }
    Integer p = request.getReplyPartition();
    if (p != null && p >= n.getAsInt()) {
      return "replyPartition " + p + " is not a partition of " + topic + " (" + n.getAsInt() + ")";
    }
    return null;
  }

  /**
   * An error reply, sent only to a destination that exists: the request's own if it is valid, the
   * app's default reply topic otherwise, keyed by request id if the partition is not valid.
   */
  private void replyIfPossible(InferenceRequest request, String code, String message, long now) {
    if (RequestChecks.requestId(request.getRequestId()) != null) {
      return; // nothing to key the answer by
    }
    InferenceRequest to = InferenceRequest.newBuilder(request).build();
    if (to.getReplyTo() != null && RequestChecks.replyTopicName(to.getReplyTo()) != null) {
      to.setReplyTo(null);
      to.setReplyPartition(null);
    }
    String topic = Replies.topicFor(to);
    OptionalInt n = topics.partitions(topic);
    if (n.isEmpty() && to.getReplyTo() != null) {
      to.setReplyTo(null);
      to.setReplyPartition(null);
      topic = Replies.topicFor(to);
      n = topics.partitions(topic);
    }
    if (n.isEmpty()) {
      log.debug("no reply topic for request {}: {} does not exist", to.getRequestId(), topic);
      return;
    }
    Integer p = to.getReplyPartition();
    if (p != null && (p < 0 || p >= n.getAsInt())) {
      to.setReplyPartition(null);
    }
    responder.reply(Replies.error(to, code, message, false, null), to, now);
  }

  /** A dead letter, and an error reply where a valid destination is known. */
  private void reject(
      Record<byte[], byte[]> record,
      RecordMetadata md,
      InferenceRequest request,
      String app,
      String code,
      String reason) {
    String requestId = request == null ? null : request.getRequestId();
    if (requestId != null && RequestChecks.requestId(requestId) != null) {
      requestId = null; // not a usable key or header value
    }
    responder.deadLetter(Responder.provenance(record, md), code, reason, null, requestId, app);
    if (request != null) {
      replyIfPossible(request, code, reason, context.currentSystemTimeMs());
    }
  }

  private void undecodable(
      Record<byte[], byte[]> record, RecordMetadata md, String app, WireFormatException e) {
    String requestId = SluiceHeaders.get(record.headers(), SluiceHeaders.REQUEST_ID);
    if (requestId != null && RequestChecks.requestId(requestId) != null) {
      requestId = null;
    }
    log.warn(
        "undecodable record {}-{}@{} (request id {}): {}",
        md.topic(),
        md.partition(),
        md.offset(),
        requestId,
        e.getMessage());
    responder.deadLetter(
        Responder.provenance(record, md),
        ErrorCodes.UNDECODABLE,
        e.getMessage(), // already starts with the kind ("BAD_MAGIC_BYTE: ...")
        e,
        requestId,
        app);
    if (requestId == null) {
      return; // no one to answer
    }
    InferenceRequest stub =
        InferenceRequest.newBuilder()
            .setRequestId(requestId)
            .setApp(app)
            .setReplyTo(SluiceHeaders.get(record.headers(), SluiceHeaders.REPLY_TO))
            .setReplyPartition(replyPartition(record.headers()))
            .build();
    replyIfPossible(
        stub,
        ErrorCodes.UNDECODABLE,
        "the request could not be decoded: " + e.kind(),
        context.currentSystemTimeMs());
  }

  private static Integer replyPartition(Headers headers) {
    String p = SluiceHeaders.get(headers, SluiceHeaders.REPLY_PARTITION);
    try {
      return p == null ? null : Integer.valueOf(p.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
