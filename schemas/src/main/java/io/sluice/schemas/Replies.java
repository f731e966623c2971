package io.sluice.schemas;

import io.sluice.avro.ErrorInfo;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.Timings;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;

/** Builds replies and finds where they go; shared by the router, the workers and the bridge. */
public final class Replies {
  private Replies() {}

  /**
   * The topic a reply to this request goes to: its {@code replyTo}, or the app's default. Shadow
   * copies always answer on the app's shadow topic, never to the caller.
   */
  public static String topicFor(InferenceRequest request) {
    if (request.getShadow()) {
      return Topics.shadowResponses(request.getApp());
    }
    String replyTo = request.getReplyTo();
    return replyTo == null || replyTo.isBlank() ? Topics.responses(request.getApp()) : replyTo;
  }

  /** The partition a reply must go to (a bridge replica owns it), or null to key by request id. */
  public static Integer partitionFor(InferenceRequest request) {
    return request.getShadow() ? null : request.getReplyPartition();
  }

  /** An ERROR reply with a stable code. */
  public static InferenceResponse error(
      InferenceRequest request, String code, String message, boolean retriable, Throwable cause) {
    return InferenceResponse.newBuilder()
        .setRequestId(request.getRequestId())
        .setApp(request.getApp())
        .setDeployment(request.getDeployment())
        .setVariant(request.getVariant())
        .setShadow(request.getShadow())
        .setStatus(ResponseStatus.ERROR)
        .setError(
            ErrorInfo.newBuilder()
                .setCode(code)
                .setMessage(message == null ? code : message)
                .setRetriable(retriable)
                .setExceptionClass(cause == null ? null : cause.getClass().getName())
                .build())
        .setTimings(timings(request, Instant.now().toEpochMilli()))
        .build();
  }

  /** Timings of a request as known when it is answered at {@code finishedAtMs}. */
  public static Timings timings(InferenceRequest request, long finishedAtMs) {
    Instant routed = request.getRoutedAtMs();
    return Timings.newBuilder()
        .setCreatedAtMs(
            request.getCreatedAtMs() == null ? null : request.getCreatedAtMs().toEpochMilli())
        .setRoutedAtMs(routed == null ? null : routed.toEpochMilli())
        .setFinishedAtMs(finishedAtMs)
        .build();
  }

  /** Whether the request's deadline is at or before {@code nowMs}. */
  public static boolean isExpired(InferenceRequest request, long nowMs) {
    Instant deadline = request.getDeadlineMs();
    return deadline != null && deadline.toEpochMilli() <= nowMs;
  }

  /** Copies the request's routing context into Kafka headers, for tools that do not decode. */
  public static void putRequestHeaders(Headers headers, InferenceRequest request) {
    SluiceHeaders.put(headers, SluiceHeaders.REQUEST_ID, request.getRequestId());
    SluiceHeaders.put(headers, SluiceHeaders.APP, request.getApp());
    Instant deadline = request.getDeadlineMs();
    SluiceHeaders.put(
        headers,
        SluiceHeaders.DEADLINE_MS,
        deadline == null ? null : Long.toString(deadline.toEpochMilli()));
    SluiceHeaders.put(headers, SluiceHeaders.REPLY_TO, request.getReplyTo());
    SluiceHeaders.put(
        headers,
        SluiceHeaders.REPLY_PARTITION,
        request.getReplyPartition() == null ? null : request.getReplyPartition().toString());
    SluiceHeaders.put(headers, SluiceHeaders.VARIANT, request.getVariant());
    SluiceHeaders.put(headers, SluiceHeaders.PRIORITY, request.getPriority().name());
    SluiceHeaders.put(headers, SluiceHeaders.TRACEPARENT, request.getTraceparent());
  }
}
