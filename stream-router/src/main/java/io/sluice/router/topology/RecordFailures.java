package io.sluice.router.topology;

import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.router.RouterHealth;
import io.sluice.router.RouterMetrics;
import io.sluice.schemas.DeadLetters;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import io.sluice.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded-retry policy behind the router's processing and production exception handlers (shared
 * by all stream threads, handed to the handlers through the Streams config under {@link
 * #CONFIG_KEY}).
 *
 * <ul>
 *   <li>A transient failure (registry unreachable, metadata or broker timeouts: classified by
 *       exception type) is retried for as long as it lasts, on a replaced stream thread, and makes
 *       the router unready ({@link RouterHealth#transientFailure}).
 *   <li>Any other failure of a record is retried until it has failed {@code maxAttempts} times;
 *       then the record is dead-lettered to {@code sluice.dlq.router} with its provenance, an error
 *       reply goes to its reply destination where one can be told and is valid, and the partition
 *       moves on. Nothing is skipped without a dead letter: if the dead letter cannot be written,
 *       the record is not skipped.
 * </ul>
 *
 * <p>The dead letters are written by a producer of their own, synchronously, outside any Streams
 * transaction: under exactly_once_v2 a dead letter may be written twice, never lost.
 */
public final class RecordFailures implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RecordFailures.class);

  /** The Streams config key under which the handlers find this instance. */
  public static final String CONFIG_KEY = "sluice.router.internal.record-failures";

  /** What to do with a record whose processing or production failed. */
  public enum Decision {
    /** Fail the thread; it is replaced and the record tried again. */
    RETRY,
    /** Dead-lettered: skip it. */
    SKIPPED
  }

  private final int maxAttempts;
  private final Producer<byte[], byte[]> producer;
  private final Serializer<DeadLetter> deadLetters;
  private final Serializer<InferenceResponse> responses;
  private final Deserializer<InferenceRequest> requests;
  private final TopicPartitions topics;
  private final int maxMessageBytes;
  private final RouterHealth health;
  private final RouterMetrics metrics;
  private final Map<String, Integer> attempts =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > 10_000;
        }
      };

  public RecordFailures(
      int maxAttempts,
      Producer<byte[], byte[]> producer,
      Serializer<DeadLetter> deadLetters,
      Serializer<InferenceResponse> responses,
      Deserializer<InferenceRequest> requests,
      TopicPartitions topics,
      int maxMessageBytes,
      RouterHealth health,
      RouterMetrics metrics) {
    this.maxAttempts = maxAttempts;
    this.producer = producer;
    this.deadLetters = deadLetters;
    this.responses = responses;
    this.requests = requests;
    this.topics = topics;
    this.maxMessageBytes = maxMessageBytes;
    this.health = health;
    this.metrics = metrics;
  }

  /** Whether a failure may pass by itself: by type, anywhere in the cause chain. */
  public static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SchemaRegistryException s && s.isRetriable()) {
        return true;
      }
      if (t instanceof TopicPartitions.MetadataUnavailableException
          || t instanceof RetriableException
          || t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Decides about a failed record and, when its tries are used up (or {@code deterministic}: it can
   * never succeed), dead-letters it.
   */
  public Decision failed(
      ErrorHandlerContext ctx, byte[] value, String code, Exception e, boolean deterministic) {
    if (isTransient(e)) {
      health.transientFailure(RouterHealthReason.of(e));
      log.warn(
          "transient failure at {}-{}@{}; retrying", ctx.topic(), ctx.partition(), ctx.offset(), e);
      return Decision.RETRY;
    }
    if (ctx.topic() == null) {
      // A punctuation: there is no record to skip; the next punctuation tries again.
      return Decision.RETRY;
    }
    String key = ctx.taskId() + "/" + ctx.topic() + "/" + ctx.partition() + "/" + ctx.offset();
    int n;
    synchronized (attempts) {
      n = deterministic ? maxAttempts : attempts.merge(key, 1, Integer::sum);
    }
    if (n < maxAttempts) {
      log.warn("record {} failed (try {} of {}); retrying", key, n, maxAttempts, e);
      return Decision.RETRY;
    }
    try {
      deadLetter(ctx, value, code, e, n);
    } catch (RuntimeException dlqFailure) {
      log.error("cannot dead-letter record {}; not skipping it", key, dlqFailure);
      health.transientFailure("cannot write to " + Topics.DLQ_ROUTER + ": " + dlqFailure);
      return Decision.RETRY;
    }
    synchronized (attempts) {
      attempts.remove(key);
    }
    log.error("record {} dead-lettered after {} tries", key, n, e);
    return Decision.SKIPPED;
  }

  private void deadLetter(ErrorHandlerContext ctx, byte[] value, String code, Exception e, int n) {
    InferenceRequest request = readable(ctx, value);
    String app = Topics.appOfRequestTopic(ctx.topic());
    if (app == null && request != null) {
      app = request.getApp();
    }
    String requestId =
        request == null ? header(ctx.headers(), SluiceHeaders.REQUEST_ID) : request.getRequestId();
    if (requestId != null && RequestChecks.requestId(requestId) != null) {
      requestId = null;
    }
    String reason = "processing failed " + n + " time(s): " + e;
    DeadLetter dl =
        DeadLetters.fitting(
            DeadLetters.of(
                Responder.STAGE,
                code,
                reason,
                e,
                new DeadLetters.Provenance(
                    ctx.topic(),
                    ctx.partition(),
                    ctx.offset(),
                    ctx.timestamp(),
                    ctx.sourceRawKey(),
                    value,
                    ctx.headers()),
                requestId,
                app,
                null,
                n),
            maxMessageBytes);
    Headers h = new RecordHeaders();
    DeadLetters.putErrorHeaders(h, dl);
    send(
        new ProducerRecord<>(
            Topics.DLQ_ROUTER,
            null,
            requestId == null ? null : requestId.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            deadLetters.serialize(Topics.DLQ_ROUTER, h, dl),
            h));
    metrics.deadLetter(code);
    if (requestId != null && app != null) {
      reply(request, requestId, app, code, reason);
    }
  }

  /** An error reply to a destination that can be told and passes the intake's checks. */
  private void reply(
      InferenceRequest request, String requestId, String app, String code, String why) {
    InferenceRequest to =
        request != null
            ? InferenceRequest.newBuilder(request).build()
            : InferenceRequest.newBuilder().setRequestId(requestId).setApp(app).build();
    to.setApp(app);
    if (to.getReplyTo() != null && RequestChecks.replyTopicName(to.getReplyTo()) != null) {
      to.setReplyTo(null);
    }
    String topic = Replies.topicFor(to);
    OptionalInt n;
    try {
      n = topics.partitions(topic);
    } catch (RuntimeException e) {
      return; // the dead letter is written; the reply is best effort
    }
    if (n.isEmpty()) {
      return;
    }
    Integer p = to.getReplyPartition();
    if (p != null && (p < 0 || p >= n.getAsInt())) {
      p = null;
    }
    InferenceResponse response =
        Replies.error(to, code, "the router could not process the request: " + why, false, null);
    Headers h = new RecordHeaders();
    Replies.putRequestHeaders(h, to);
    SluiceHeaders.put(h, SluiceHeaders.ERROR_CODE, code);
    SluiceHeaders.put(h, SluiceHeaders.ERROR_STAGE, Responder.STAGE);
    try {
      send(
          new ProducerRecord<>(
              topic,
              p,
              requestId.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              responses.serialize(topic, h, response),
              h));
    } catch (RuntimeException e) {
      log.warn("cannot send the error reply for {} to {}", requestId, topic, e);
    }
  }

  private InferenceRequest readable(ErrorHandlerContext ctx, byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      return requests.deserialize(ctx.topic(), value);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String header(Headers headers, String name) {
    return SluiceHeaders.get(headers, name);
  }

  private void send(ProducerRecord<byte[], byte[]> record) {
    try {
      producer.send(record).get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted writing to " + record.topic(), e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot write to " + record.topic(), e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  /** Short, type-led descriptions of a failure for /readyz. */
  static final class RouterHealthReason {
    private RouterHealthReason() {}

    static String of(Throwable e) {
      Throwable root = e;
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        root = t;
        if (t instanceof SchemaRegistryException) {
          return "schema registry: " + t.getMessage();
        }
        if (t instanceof TopicPartitions.MetadataUnavailableException) {
          return "topic metadata: " + t.getMessage();
        }
      }
      return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
  }
}
