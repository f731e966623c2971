package io.sluice.router.topology;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.RouteConfig;
import io.sluice.router.RouterMetrics;
import io.sluice.router.batch.BatchLimits;
import io.sluice.router.batch.EncodedBatch;
import io.sluice.router.batch.MicroBatcher;
import io.sluice.router.batch.RoutedMeta;
import io.sluice.router.route.CompiledRoute;
import io.sluice.router.route.RouteLookup;
import io.sluice.schemas.DeadLetters;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.WireFormat;
import io.sluice.schemas.serde.WireFormatException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The stateful second half of the router: reads routed requests from the router's own repartition
 * topic (a fixed partition count, {@code sluice.router.partitions}) and micro-batches them in the
 * changelogged {@code batch-buffer} store ({@link MicroBatcher}). Its task count never depends on
 * the request topics.
 */
final class BatchingProcessor implements Processor<String, byte[], String, Outbound<?>> {
  private final TopologySettings settings;
  private final RouterMetrics metrics;
  private final Deserializer<InferenceRequest> requests;
  private final Deserializer<RouteConfig> routes;
  private final BatchEnvelope envelope;
  private ProcessorContext<String, Outbound<?>> context;
  private Responder responder;
  private RouteLookup lookup;
  private MicroBatcher batcher;
  private Record<String, byte[]> current;

  BatchingProcessor(
      TopologySettings settings,
      RouterMetrics metrics,
      Deserializer<InferenceRequest> requests,
      Deserializer<RouteConfig> routes,
      BatchEnvelope envelope) {
    this.settings = settings;
    this.metrics = metrics;
    this.requests = requests;
    this.routes = routes;
    this.envelope = envelope;
  }

  @Override
  public void init(ProcessorContext<String, Outbound<?>> context) {
    this.context = context;
    this.responder = new Responder(context, metrics, settings.maxMessageBytes());
    this.lookup = new RouteLookup(context.getStateStore(RouterTopology.ROUTES_STORE), routes);
    KeyValueStore<String, byte[]> buffer = context.getStateStore(RouterTopology.BUFFER_STORE);
    this.batcher = new MicroBatcher(buffer, new BatchSink(), envelope::maxBody);
    context.schedule(
        settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, batcher::flushDue);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    byte[] value = record.value();
    RoutedMeta meta =
        value == null || value.length <= WireFormat.HEADER_SIZE || value[0] != WireFormat.MAGIC_BYTE
            ? null
            : RoutedMeta.fromHeader(header(record.headers(), RoutedMeta.HEADER));
    if (meta != null) {
      // The intake's bytes, in this code's schema: appended as they are, not decoded.
      current = record;
      try {
        batcher.add(
            meta,
            value,
            WireFormat.HEADER_SIZE,
            value.length - WireFormat.HEADER_SIZE,
            limits(meta.app(), meta.deployment()),
            record.timestamp(), // the intake forwards at the time it routed the request
            context.currentSystemTimeMs());
      } finally {
        current = null;
      }
      return;
    }
    InferenceRequest request;
    try {
      request = requests.deserialize(RouterTopology.ROUTED_SUBJECT_TOPIC, record.value());
    } catch (WireFormatException e) {
      // Written by the intake a moment ago: only a corrupted topic gets here.
      responder.deadLetter(
          provenance(record), ErrorCodes.UNDECODABLE, e.getMessage(), e, null, null);
      return;
    }
    if (request == null) {
      return;
    }
    BatchLimits limits = limits(request.getApp(), request.getDeployment());
    current = record;
    try {
      batcher.add(request, limits, context.currentSystemTimeMs());
    } finally {
      current = null;
    }
  }

  private BatchLimits limits(String app, String deployment) {
    CompiledRoute route = lookup.find(app);
    return route == null
        ? settings.defaultLimits()
        : route.limitsFor(deployment, settings.defaultLimits());
  }

  private static byte[] header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null ? null : h.value();
  }

  private DeadLetters.Provenance provenance(Record<String, byte[]> record) {
    RecordMetadata md = context.recordMetadata().orElse(null);
    return new DeadLetters.Provenance(
        md == null ? "" : md.topic(),
        md == null ? -1 : md.partition(),
        md == null ? -1 : md.offset(),
        record.timestamp(),
        null,
        record.value(),
        null);
  }

  private final class BatchSink implements MicroBatcher.Sink {
    @Override
    public void batch(EncodedBatch batch) {
      Headers h = new RecordHeaders();
      SluiceHeaders.put(h, SluiceHeaders.PRIORITY, batch.priority().name());
      SluiceHeaders.put(h, SluiceHeaders.BATCH_SIZE, Integer.toString(batch.size()));
      Outbound<EncodedBatch> out = new Outbound<>(Topics.batches(batch.deployment()), null, batch);
      context.forward(new Record<>(batch.batchId(), out, batch.flushedAtMs(), h));
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
      responder.reply(
          Replies.error(
              request, ErrorCodes.DEADLINE_EXCEEDED, "deadline passed while batching", false, null),
          request,
          nowMs);
    }

    @Override
    public void tooLarge(InferenceRequest request, int encodedBytes, int maxBytes, long nowMs) {
      // The intake rejects these first; this only guards a batch bound that shrank since.
      String reason =
          "the request takes " + encodedBytes + " bytes encoded; a batch holds at most " + maxBytes;
      responder.reply(
          Replies.error(request, ErrorCodes.PAYLOAD_TOO_LARGE, reason, false, null),
          request,
          nowMs);
      if (current != null) {
        responder.deadLetter(
            provenance(current),
            ErrorCodes.PAYLOAD_TOO_LARGE,
            reason,
            null,
            request.getRequestId(),
            request.getApp());
      }
    }
  }
}
