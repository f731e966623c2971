package io.sluice.router.topology;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Shadow;
import io.sluice.avro.Variant;
import io.sluice.router.RouterMetrics;
import io.sluice.router.RouterSettings;
import io.sluice.router.batch.EncodedBatch;
import io.sluice.router.batch.MicroBatcher;
import io.sluice.router.route.CompiledRoute;
import io.sluice.router.route.RouteLookup;
import io.sluice.schemas.DeadLetters;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.WireFormatException;
import java.time.Instant;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes raw request records: decodes them (undecodable ones become dead letters, with an error
 * reply where the headers name a reply destination), answers expired and unknown-app requests with
 * error replies, picks the variant and shadows, and hands the request to the {@link MicroBatcher}.
 *
 * <p>Values are read as bytes and decoded here rather than by the source's deserializer so that a
 * bad record is dead-lettered with its untouched bytes and provenance and the partition moves on. A
 * registry that cannot be reached is NOT a bad record: that exception propagates and the stream
 * thread is replaced, retrying the same record.
 */
final class RequestRouter implements Processor<byte[], byte[], String, Outbound<?>> {
  private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);
  private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  static final String STAGE = "router";

  private final RouterSettings settings;
  private final RouterMetrics metrics;
  private final Deserializer<InferenceRequest> requests;
  private final Deserializer<RouteConfig> routes;
  private ProcessorContext<String, Outbound<?>> context;
  private RouteLookup lookup;
  private MicroBatcher batcher;

  RequestRouter(
      RouterSettings settings,
      RouterMetrics metrics,
      Deserializer<InferenceRequest> requests,
      Deserializer<RouteConfig> routes) {
    this.settings = settings;
    this.metrics = metrics;
    this.requests = requests;
    this.routes = routes;
  }

  @Override
  public void init(ProcessorContext<String, Outbound<?>> context) {
    this.context = context;
    KeyValueStore<String, byte[]> routeStore = context.getStateStore(RouterTopology.ROUTES_STORE);
    this.lookup = new RouteLookup(routeStore, routes);
    KeyValueStore<String, byte[]> buffer = context.getStateStore(RouterTopology.BUFFER_STORE);
    this.batcher = new MicroBatcher(buffer, new BatchSink());
    context.schedule(
        settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, batcher::flushDue);
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
      deadLetter(
          record, md, ErrorCodes.INVALID_INPUT, "null value on a request topic", null, null, app);
      return;
    }
    if (request.getRequestId() == null || request.getRequestId().isBlank()) {
      deadLetter(record, md, ErrorCodes.INVALID_INPUT, "requestId is missing", null, null, app);
      return;
    }
    // The topic names the app; a record that says otherwise is served as the topic's app.
    request.setApp(app);
    if (request.getReplyTo() != null && !LEGAL_TOPIC.matcher(request.getReplyTo()).matches()) {
      deadLetter(
          record,
          md,
          ErrorCodes.INVALID_INPUT,
          "replyTo '" + request.getReplyTo() + "' is not a legal topic name",
          null,
          request.getRequestId(),
          app);
      return;
    }
    long now = context.currentSystemTimeMs();
    if (Replies.isExpired(request, now)) {
      metrics.expired(app, "route");
      reply(
          Replies.error(
              request, ErrorCodes.DEADLINE_EXCEEDED, "deadline passed before routing", false, null),
          request,
          now);
      return;
    }
    CompiledRoute route = lookup.find(app);
    if (route == null) {
      String reason = "no route config for app '" + app + "' in " + Topics.ROUTES;
      reply(Replies.error(request, ErrorCodes.UNKNOWN_APP, reason, false, null), request, now);
      deadLetter(record, md, ErrorCodes.UNKNOWN_APP, reason, null, request.getRequestId(), app);
      return;
    }
    if (request.getReplyTo() == null && route.config().getReplyTopic() != null) {
      request.setReplyTo(route.config().getReplyTopic());
    }
    byte[] sticky = route.stickyKey(record.key(), request);
    Variant variant = route.pick(sticky);
    request.setVariant(variant.getName());
    request.setDeployment(variant.getDeployment());
    request.setShadow(false);
    request.setRoutedAtMs(Instant.ofEpochMilli(now));
    metrics.requestRouted(app, variant.getName());
    batcher.add(request, route.limitsFor(variant.getDeployment(), settings.defaultLimits()), now);
    for (Shadow s : route.shadowsFor(sticky)) {
      InferenceRequest copy =
          InferenceRequest.newBuilder(request)
              .setDeployment(s.getDeployment())
              .setShadow(true)
              .build();
      metrics.shadowCopy(app, s.getDeployment());
      batcher.add(copy, route.limitsFor(s.getDeployment(), settings.defaultLimits()), now);
    }
  }

  private void undecodable(
      Record<byte[], byte[]> record, RecordMetadata md, String app, WireFormatException e) {
    String requestId = SluiceHeaders.get(record.headers(), SluiceHeaders.REQUEST_ID);
    log.warn(
        "undecodable record {}-{}@{} (request id {}): {}",
        md.topic(),
        md.partition(),
        md.offset(),
        requestId,
        e.getMessage());
    deadLetter(
        record, md, ErrorCodes.UNDECODABLE, e.kind() + ": " + e.getMessage(), e, requestId, app);
    String replyTo = SluiceHeaders.get(record.headers(), SluiceHeaders.REPLY_TO);
    if (requestId == null || (replyTo != null && !LEGAL_TOPIC.matcher(replyTo).matches())) {
      return; // no one to answer
    }
    InferenceRequest stub =
        InferenceRequest.newBuilder()
            .setRequestId(requestId)
            .setApp(app)
            .setReplyTo(replyTo)
            .setReplyPartition(replyPartition(record.headers()))
            .build();
    reply(
        Replies.error(
            stub,
            ErrorCodes.UNDECODABLE,
            "the request could not be decoded: " + e.kind(),
            false,
            e),
        stub,
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

  private void reply(InferenceResponse response, InferenceRequest request, long now) {
    Headers h = new RecordHeaders();
    Replies.putRequestHeaders(h, request);
    SluiceHeaders.put(
        h,
        SluiceHeaders.ERROR_CODE,
        response.getError() == null ? null : response.getError().getCode());
    SluiceHeaders.put(h, SluiceHeaders.ERROR_STAGE, STAGE);
    Outbound<InferenceResponse> out =
        new Outbound<>(Replies.topicFor(request), Replies.partitionFor(request), response);
    context.forward(new Record<>(request.getRequestId(), out, now, h), RouterTopology.REPLIES_SINK);
  }

  private void deadLetter(
      Record<byte[], byte[]> record,
      RecordMetadata md,
      String code,
      String reason,
      Throwable error,
      String requestId,
      String app) {
    DeadLetter dl =
        DeadLetters.of(
            STAGE,
            code,
            reason,
            error,
            new DeadLetters.Provenance(
                md.topic(),
                md.partition(),
                md.offset(),
                record.timestamp(),
                record.key(),
                record.value(),
                record.headers()),
            requestId,
            app,
            null,
            1);
    Headers h = new RecordHeaders();
    DeadLetters.putErrorHeaders(h, dl);
    metrics.deadLetter(code);
    context.forward(
        new Record<>(
            requestId,
            new Outbound<>(Topics.DLQ_ROUTER, null, dl),
            context.currentSystemTimeMs(),
            h),
        RouterTopology.DLQ_SINK);
  }

  private final class BatchSink implements MicroBatcher.Sink {
    @Override
    public void batch(EncodedBatch batch) {
      Headers h = new RecordHeaders();
      SluiceHeaders.put(h, SluiceHeaders.PRIORITY, batch.priority().name());
      Outbound<EncodedBatch> out = new Outbound<>(Topics.batches(batch.deployment()), null, batch);
      context.forward(
          new Record<>(batch.batchId(), out, batch.flushedAtMs(), h), RouterTopology.BATCHES_SINK);
      metrics.batchFlushed(
          batch.deployment(),
          batch.priority().name(),
          batch.flushReason().name(),
          batch.size(),
          batch.flushedAtMs() - batch.firstArrivalMs());
    }

    @Override
    public void expired(InferenceRequest request, long nowMs) {
      metrics.expired(request.getApp(), "flush");
      reply(
          Replies.error(
              request, ErrorCodes.DEADLINE_EXCEEDED, "deadline passed while batching", false, null),
          request,
          nowMs);
    }
  }
}
