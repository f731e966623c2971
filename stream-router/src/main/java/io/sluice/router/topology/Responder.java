package io.sluice.router.topology;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.router.RouterMetrics;
import io.sluice.schemas.DeadLetters;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Error replies and dead letters of one processor, forwarded to its outbound sink. Dead letters are
 * cut to fit the record-size limit ({@link DeadLetters#fitting}), so a dead letter of a huge record
 * cannot itself fail to be written.
 */
final class Responder {
  static final String STAGE = "router";

  private final ProcessorContext<String, Outbound<?>> context;
  private final RouterMetrics metrics;
  private final int maxMessageBytes;

  Responder(ProcessorContext<String, Outbound<?>> context, RouterMetrics metrics, int maxBytes) {
    this.context = context;
    this.metrics = metrics;
    this.maxMessageBytes = maxBytes;
  }

  /** Sends an error reply to the request's reply destination (validated before it gets here). */
  void reply(InferenceResponse response, InferenceRequest request, long now) {
    Headers h = new RecordHeaders();
    Replies.putRequestHeaders(h, request);
    SluiceHeaders.put(
        h,
        SluiceHeaders.ERROR_CODE,
        response.getError() == null ? null : response.getError().getCode());
    SluiceHeaders.put(h, SluiceHeaders.ERROR_STAGE, STAGE);
    Outbound<InferenceResponse> out =
        new Outbound<>(Replies.topicFor(request), Replies.partitionFor(request), response);
    context.forward(new Record<>(request.getRequestId(), out, now, h));
  }

  /** Sends a dead letter to {@code sluice.dlq.router}. */
  void deadLetter(
      DeadLetters.Provenance from,
      String code,
      String reason,
      Throwable error,
      String requestId,
      String app) {
    DeadLetter dl =
        DeadLetters.fitting(
            DeadLetters.of(STAGE, code, reason, error, from, requestId, app, null, 1),
            maxMessageBytes);
    Headers h = new RecordHeaders();
    DeadLetters.putErrorHeaders(h, dl);
    metrics.deadLetter(code);
    context.forward(
        new Record<>(
            requestId,
            new Outbound<>(Topics.DLQ_ROUTER, null, dl),
            context.currentSystemTimeMs(),
            h));
  }

  /** Where a raw record came from, for its dead letter. */
  static DeadLetters.Provenance provenance(Record<byte[], byte[]> record, RecordMetadata md) {
    return new DeadLetters.Provenance(
        md.topic(),
        md.partition(),
        md.offset(),
        record.timestamp(),
        record.key(),
        record.value(),
        record.headers());
  }
}
