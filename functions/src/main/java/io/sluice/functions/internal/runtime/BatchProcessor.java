package io.sluice.functions.internal.runtime;

import io.sluice.avro.ChatMessage;
import io.sluice.avro.ChatOutput;
import io.sluice.avro.ChatRole;
import io.sluice.avro.CompletionOutput;
import io.sluice.avro.DeadLetter;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.Timings;
import io.sluice.functions.Batch;
import io.sluice.functions.ChunkSink;
import io.sluice.functions.ItemResult;
import io.sluice.functions.SluiceFunction;
import io.sluice.functions.internal.runtime.FailureClassifier.Verdict;
import io.sluice.functions.worker.Backoff;
import io.sluice.schemas.DeadLetters;
import io.sluice.schemas.ErrorCodes;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Turns one record of {@code sluice.batches.<deployment>} into the records to write: one reply per
 * request (to {@link Replies#topicFor}, keyed by request id), plus a dead letter per item that
 * still failed, or a single dead letter if the record is not a decodable batch. Runs the function;
 * never writes to Kafka itself, so both delivery modes share it.
 *
 * <p>Nothing a client put in a request can make {@link #process} throw: a reply whose destination
 * does not exist ({@link ReplyTargets}), that is over {@code sluice.kafka.max-message-bytes} or
 * that cannot be encoded becomes a dead letter (an oversize success becomes an {@code
 * output_too_large} error reply as well), and a batch that still fails after the retries is dead
 * lettered whole.
 */
public final class BatchProcessor {
  /**
   * One record to write. {@code request} is set for a reply (so that a reply the broker refuses can
   * still be dead-lettered with its request) and null for a dead letter.
   */
  public record Out(ProducerRecord<String, byte[]> record, InferenceRequest request) {}

  /** The longest Retry-After honoured (requests with a deadline are bounded by it first). */
  static final long MAX_RETRY_AFTER_MS = 60_000;

  /** Kafka's per-batch header plus a record's own framing, over-estimated. */
  private static final int RECORD_OVERHEAD = 61 + 64;

  /** Encodes the Avro records the worker writes, by destination topic. */
  public record Codecs(
      Deserializer<InferenceBatch> batches,
      Serializer<InferenceResponse> responses,
      Serializer<DeadLetter> deadLetters,
      Serializer<InferenceRequest> requests) {}

  private final String deployment;
  private final String stage;
  private final String dlqTopic;
  private final SluiceFunction function;
  private final Backoff retry;
  private final Codecs codecs;
  private final WorkerMetrics metrics;
  private final ReplyTargets targets;
  private final int maxRecordBytes;

  public BatchProcessor(
      String deployment,
      SluiceFunction function,
      Backoff retry,
      Codecs codecs,
      WorkerMetrics metrics,
      ReplyTargets targets,
      int maxRecordBytes) {
    this.targets = targets;
    this.maxRecordBytes = maxRecordBytes;
    this.deployment = deployment;
    this.stage = "worker:" + deployment;
    this.dlqTopic = Topics.dlq(deployment);
    this.function = function;
    this.retry = retry;
    this.codecs = codecs;
    this.metrics = metrics;
  }

  /**
   * Processes one record. {@code chunks} receives streamed reply chunks as they are produced.
   *
   * @throws InterruptedException if the worker is stopping hard; nothing may be committed then
   */
  public List<Out> process(
      ConsumerRecord<byte[], byte[]> record, Consumer<ProducerRecord<String, byte[]>> chunks)
      throws InterruptedException {
    InferenceBatch batch;
    try {
      batch = codecs.batches().deserialize(record.topic(), record.headers(), record.value());
      if (batch == null) {
        throw new IllegalArgumentException("null record value (tombstone) is not a batch");
      }
    } catch (RuntimeException e) {
      metrics.error(ErrorCodes.UNDECODABLE, e);
      metrics.deadLetter();
      DeadLetter dl =
          DeadLetters.of(
              stage,
              ErrorCodes.UNDECODABLE,
              "record is not a decodable InferenceBatch",
              e,
              provenance(record, record.value()),
              SluiceHeaders.get(record.headers(), SluiceHeaders.REQUEST_ID),
              SluiceHeaders.get(record.headers(), SluiceHeaders.APP),
              deployment,
              1);
      return List.of(new Out(deadLetterRecord(dl, record.key(), record.headers()), null));
    }
    // Item failures are handled item by item inside run(); what escapes it is a bug or a broken
    // dependency (the Schema Registry, say). Try again a bounded number of times, then dead-letter
    // the whole record so that the partition moves on.
    for (int attempt = 1; ; attempt++) {
      try {
        return run(record, batch, chunks);
      } catch (RuntimeException | LinkageError | AssertionError e) {
        if (attempt >= retry.maxAttempts()) {
          return List.of(batchFailed(record, batch, e, attempt));
        }
        metrics.retry(batch.getRequests().size());
        Thread.sleep(retry.delayMs(attempt));
      }
    }
  }

  /** Where replies may go (the loop re-checks a destination after a failed send). */
  public ReplyTargets targets() {
    return targets;
  }

  private Out batchFailed(
      ConsumerRecord<byte[], byte[]> record, InferenceBatch batch, Throwable e, int attempts) {
    metrics.error(ErrorCodes.INTERNAL, e);
    metrics.deadLetter();
    DeadLetter dl =
        DeadLetters.of(
            stage,
            ErrorCodes.INTERNAL,
            "batch "
                + batch.getBatchId()
                + " could not be processed after "
                + attempts
                + " attempt(s)",
            e,
            provenance(record, record.value()),
            SluiceHeaders.get(record.headers(), SluiceHeaders.REQUEST_ID),
            SluiceHeaders.get(record.headers(), SluiceHeaders.APP),
            deployment,
            attempts);
    return new Out(deadLetterRecord(dl, record.key(), record.headers()), null);
  }

  private List<Out> run(
      ConsumerRecord<byte[], byte[]> record,
      InferenceBatch batch,
      Consumer<ProducerRecord<String, byte[]>> chunkOut)
      throws InterruptedException {
    long startedNanos = System.nanoTime();
    long startedMs = System.currentTimeMillis();
    List<InferenceRequest> requests = batch.getRequests();
    metrics.batchSize(requests.size());
    Instant flushed = batch.getFlushedAtMs();
    long flushedMs =
        flushed != null && flushed.toEpochMilli() > 0 ? flushed.toEpochMilli() : record.timestamp();
    metrics.queue(startedMs - flushedMs);

    List<Out> out = new ArrayList<>();
    Map<String, AtomicInteger> chunkIndex = new ConcurrentHashMap<>();
    ChunkSink sink =
        (request, delta) -> {
          int index =
              chunkIndex
                  .computeIfAbsent(request.getRequestId(), k -> new AtomicInteger())
                  .getAndIncrement();
          ProducerRecord<String, byte[]> c =
              chunkRecord(request, chunk(request, delta, index, flushedMs, startedMs));
          if (c != null) {
            chunkOut.accept(c);
          }
        };

    List<Integer> todo = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      InferenceRequest r = requests.get(i);
      if (Replies.isExpired(r, startedMs)) {
        out.addAll(expired(record, r, flushedMs, startedMs));
      } else {
        todo.add(i);
      }
    }
    // The one retry layer (the backend client makes one attempt per call): only the items that
    // failed retriably are tried again, never after their deadline, and a server's Retry-After is
    // waited for only if the deadline allows it.
    for (int attempt = 1; !todo.isEmpty(); attempt++) {
      List<InferenceRequest> items = todo.stream().map(requests::get).toList();
      List<ItemResult> results = apply(batch, items, attempt, sink);
      List<Integer> again = new ArrayList<>();
      Map<Integer, Verdict> verdicts = new java.util.HashMap<>();
      long retryAfterMs = -1;
      long now = System.currentTimeMillis();
      for (int j = 0; j < items.size(); j++) {
        InferenceRequest r = items.get(j);
        ItemResult result = results.get(j);
        if (result instanceof ItemResult.Success ok) {
          int chunksSent = chunkIndex.getOrDefault(r.getRequestId(), new AtomicInteger()).get();
          out.addAll(answer(record, r, success(r, ok, chunksSent, flushedMs, startedMs)));
          continue;
        }
        Throwable error = ((ItemResult.Failure) result).error();
        Verdict v = FailureClassifier.classify(error);
        if (Replies.isExpired(r, now) || ErrorCodes.DEADLINE_EXCEEDED.equals(v.code())) {
          // The caller has gone (its deadline passed during the call, which was cut short).
          out.addAll(
              expired(
                  record, r, "deadline passed while the request was served", flushedMs, startedMs));
          continue;
        }
        if (v.retriable() && attempt < retry.maxAttempts()) {
          again.add(todo.get(j));
          verdicts.put(todo.get(j), v);
          if (v.cause() instanceof io.sluice.functions.internal.openai.BackendException be) {
            retryAfterMs = Math.max(retryAfterMs, be.retryAfterMs());
          }
          continue;
        }
        out.addAll(giveUp(record, r, v, attempt, flushedMs, startedMs));
      }
      if (again.isEmpty()) {
        break;
      }
      // A server's Retry-After wins over our own (shorter) backoff, up to a sane bound.
      long delay = Math.max(retry.delayMs(attempt), Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
      long retryAt = System.currentTimeMillis() + delay;
      todo = new ArrayList<>();
      for (int i : again) {
        InferenceRequest r = requests.get(i);
        if (Replies.isExpired(r, retryAt)) {
          // A retry would start after the deadline: answer with what we know now.
          out.addAll(giveUp(record, r, verdicts.get(i), attempt, flushedMs, startedMs));
        } else {
          todo.add(i);
        }
      }
      if (todo.isEmpty()) {
        break;
      }
      metrics.retry(todo.size());
      Thread.sleep(delay);
    }
    metrics.processing(System.nanoTime() - startedNanos);
    return out;
  }

  private List<ItemResult> apply(
      InferenceBatch batch, List<InferenceRequest> items, int attempt, ChunkSink sink)
      throws InterruptedException {
    List<ItemResult> results;
    try {
      results = function.apply(new Batch(batch.getBatchId(), deployment, items, attempt, sink));
      if (results == null || results.size() != items.size()) {
        throw new IllegalStateException(
            "function returned "
                + (results == null ? "null" : results.size() + " results")
                + " for "
                + items.size()
                + " requests");
      }
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception | LinkageError | AssertionError e) {
      // A whole-batch failure fails each item with the same error; items are still judged alone.
      results = items.stream().map(r -> ItemResult.failure(e)).toList();
    }
    return results;
  }

  private List<Out> giveUp(
      ConsumerRecord<byte[], byte[]> record,
      InferenceRequest r,
      Verdict v,
      int attempts,
      long flushedMs,
      long startedMs) {
    metrics.error(v.code(), v.cause());
    List<Out> out =
        new ArrayList<>(answer(record, r, failed(r, v, attempts, flushedMs, startedMs)));
    out.add(deadLetter(record, r, v.code(), itemReason(v, attempts), v.cause(), attempts));
    return out;
  }

  private List<Out> expired(
      ConsumerRecord<byte[], byte[]> record, InferenceRequest r, long flushedMs, long startedMs) {
    return expired(record, r, "deadline passed before the function ran", flushedMs, startedMs);
  }

  private List<Out> expired(
      ConsumerRecord<byte[], byte[]> record,
      InferenceRequest r,
      String message,
      long flushedMs,
      long startedMs) {
    metrics.error(ErrorCodes.DEADLINE_EXCEEDED, null);
    InferenceResponse resp = Replies.error(r, ErrorCodes.DEADLINE_EXCEEDED, message, false, null);
    resp.setDeployment(deployment);
    resp.setTimings(timings(r, flushedMs, startedMs));
    return answer(record, r, resp);
  }

  private InferenceResponse failed(
      InferenceRequest r, Verdict v, int attempts, long flushedMs, long startedMs) {
    String message =
        v.cause().getMessage() == null ? v.cause().getClass().getName() : v.cause().getMessage();
    InferenceResponse resp =
        Replies.error(
            r,
            v.code(),
            message + " (after " + attempts + " attempt(s))",
            v.retriable(),
            v.cause());
    resp.setDeployment(deployment);
    resp.setTimings(timings(r, flushedMs, startedMs));
    return resp;
  }

  private static String itemReason(Verdict v, int attempts) {
    String reason = "item failed after " + attempts + " attempt(s)";
    // The backend's own words go to the dead letter and the log only, never to the client.
    if (v.cause() instanceof io.sluice.functions.internal.openai.BackendException be
        && be.detail() != null
        && !be.detail().isEmpty()) {
      reason += "; backend said: " + be.detail();
    }
    return reason;
  }

  /**
   * The reply to {@code r}, checked before it is sent: to a destination that exists, encodable, and
   * within the record limit. Otherwise a dead letter (and, for an oversize success, an {@code
   * output_too_large} error reply instead).
   */
  private List<Out> answer(
      ConsumerRecord<byte[], byte[]> record, InferenceRequest r, InferenceResponse resp) {
    boolean ok = resp.getStatus() == ResponseStatus.OK;
    String topic = Replies.topicFor(r);
    Integer partition = Replies.partitionFor(r);
    ReplyTargets.Verdict where = targets.check(topic, partition);
    if (where == ReplyTargets.Verdict.NO_SUCH_TOPIC
        || where == ReplyTargets.Verdict.NO_SUCH_PARTITION) {
      String reason =
          where == ReplyTargets.Verdict.NO_SUCH_TOPIC
              ? "reply topic " + topic + " does not exist"
              : "reply partition " + partition + " is out of range for topic " + topic;
      metrics.error(ErrorCodes.UNDELIVERABLE, null);
      return List.of(deadLetter(record, r, ErrorCodes.UNDELIVERABLE, reason, null, 1));
    }
    ProducerRecord<String, byte[]> rec;
    try {
      rec = reply(r, resp);
    } catch (RuntimeException e) {
      metrics.error(ErrorCodes.INTERNAL, e);
      Out dl = deadLetter(record, r, ErrorCodes.INTERNAL, "the reply could not be encoded", e, 1);
      if (!ok) {
        return List.of(dl);
      }
      InferenceResponse instead =
          Replies.error(r, ErrorCodes.INTERNAL, "the reply could not be encoded", false, e);
      instead.setDeployment(deployment);
      List<Out> out = new ArrayList<>(answer(record, r, instead));
      out.add(dl);
      return out;
    }
    int size = estimatedSize(rec);
    if (size > maxRecordBytes) {
      String reason =
          "reply of about "
              + size
              + " bytes is over the record limit of "
              + maxRecordBytes
              + " bytes (sluice.kafka.max-message-bytes)";
      if (!ok) {
        metrics.error(ErrorCodes.UNDELIVERABLE, null);
        return List.of(deadLetter(record, r, ErrorCodes.UNDELIVERABLE, reason, null, 1));
      }
      metrics.error(ErrorCodes.OUTPUT_TOO_LARGE, null);
      InferenceResponse instead =
          Replies.error(
              r,
              ErrorCodes.OUTPUT_TOO_LARGE,
              "the output (about "
                  + size
                  + " bytes) does not fit in one reply record of "
                  + maxRecordBytes
                  + " bytes",
              false,
              null);
      instead.setDeployment(deployment);
      instead.setTimings(resp.getTimings());
      List<Out> out = new ArrayList<>(answer(record, r, instead));
      out.add(deadLetter(record, r, ErrorCodes.OUTPUT_TOO_LARGE, reason, null, 1));
      return out;
    }
    if (!ok) {
      SluiceHeaders.put(rec.headers(), SluiceHeaders.ERROR_CODE, resp.getError().getCode());
      SluiceHeaders.put(rec.headers(), SluiceHeaders.ERROR_STAGE, stage);
    }
    metrics.reply(ok);
    return List.of(new Out(rec, r));
  }

  /** A streamed chunk's record, or null when it cannot go where the final reply would fail. */
  private ProducerRecord<String, byte[]> chunkRecord(InferenceRequest r, InferenceResponse c) {
    ReplyTargets.Verdict where = targets.check(Replies.topicFor(r), Replies.partitionFor(r));
    if (where == ReplyTargets.Verdict.NO_SUCH_TOPIC
        || where == ReplyTargets.Verdict.NO_SUCH_PARTITION) {
      return null; // the final reply is dead-lettered with the reason
    }
    try {
      ProducerRecord<String, byte[]> rec = reply(r, c);
      return estimatedSize(rec) > maxRecordBytes ? null : rec;
    } catch (RuntimeException e) {
      return null; // chunks are a preview; the final reply carries the whole output or the error
    }
  }

  /**
   * The dead letter for a reply the broker refused ({@code cause}) although it passed the checks
   * here: the topic was deleted meanwhile, a quota or an ACL refused it, and the like.
   */
  public ProducerRecord<String, byte[]> undeliverable(
      ConsumerRecord<byte[], byte[]> record, Out reply, Throwable cause) {
    metrics.error(ErrorCodes.UNDELIVERABLE, cause);
    String reason =
        "the reply could not be written to "
            + reply.record().topic()
            + (reply.record().partition() == null ? "" : "-" + reply.record().partition())
            + ": "
            + cause.getClass().getSimpleName();
    return deadLetter(record, reply.request(), ErrorCodes.UNDELIVERABLE, reason, cause, 1).record();
  }

  private Out deadLetter(
      ConsumerRecord<byte[], byte[]> record,
      InferenceRequest r,
      String code,
      String reason,
      Throwable cause,
      int attempts) {
    metrics.deadLetter();
    byte[] original = encodeRequest(r, record.value());
    byte[] key = r.getRequestId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    DeadLetter dl =
        DeadLetters.of(
            stage,
            code,
            reason,
            cause,
            provenance(record, original),
            r.getRequestId(),
            r.getApp(),
            deployment,
            attempts);
    ProducerRecord<String, byte[]> rec = deadLetterRecord(dl, key, record.headers());
    if (estimatedSize(rec) > maxRecordBytes) {
      // Keep the reason and the provenance; the request itself can be re-read at the source.
      DeadLetter smaller =
          DeadLetters.of(
              stage,
              code,
              reason + " (original value omitted: over the record limit)",
              cause,
              provenance(record, null),
              r.getRequestId(),
              r.getApp(),
              deployment,
              attempts);
      rec = deadLetterRecord(smaller, key, new RecordHeaders());
    }
    return new Out(rec, null);
  }

  /** An upper bound of the record's size as the producer counts it against max.request.size. */
  static int estimatedSize(ProducerRecord<String, byte[]> rec) {
    long size = RECORD_OVERHEAD;
    if (rec.key() != null) {
      size += rec.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
    if (rec.value() != null) {
      size += rec.value().length;
    }
    for (org.apache.kafka.common.header.Header h : rec.headers()) {
      size += h.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 10;
      size += h.value() == null ? 0 : h.value().length;
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  /** The item's request re-encoded (Confluent wire format, its app's request subject). */
  private byte[] encodeRequest(InferenceRequest r, byte[] fallback) {
    try {
      return codecs.requests().serialize(Topics.requests(r.getApp()), r);
    } catch (RuntimeException e) {
      return fallback; // e.g. an app name that is no legal topic name: keep the whole batch
    }
  }

  private ProducerRecord<String, byte[]> deadLetterRecord(
      DeadLetter dl, byte[] key, Headers original) {
    Headers headers = new RecordHeaders(original.toArray());
    DeadLetters.putErrorHeaders(headers, dl);
    String k =
        dl.getRequestId() != null
            ? dl.getRequestId()
            : key == null ? null : new String(key, java.nio.charset.StandardCharsets.UTF_8);
    return new ProducerRecord<>(
        dlqTopic, null, k, codecs.deadLetters().serialize(dlqTopic, headers, dl), headers);
  }

  private static DeadLetters.Provenance provenance(ConsumerRecord<byte[], byte[]> r, byte[] value) {
    return new DeadLetters.Provenance(
        r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), value, r.headers());
  }

  private InferenceResponse success(
      InferenceRequest r, ItemResult.Success ok, int chunksSent, long flushedMs, long startedMs) {
    return base(r, flushedMs, startedMs)
        .setStatus(ResponseStatus.OK)
        .setOutput(ok.output())
        .setUsage(ok.usage())
        .setChunkIndex(chunksSent)
        .setFinalChunk(true)
        .build();
  }

  private InferenceResponse chunk(
      InferenceRequest r, String delta, int index, long flushedMs, long startedMs) {
    Object output =
        r.getInput() instanceof io.sluice.avro.ChatInput
            ? ChatOutput.newBuilder()
                .setMessage(
                    ChatMessage.newBuilder().setRole(ChatRole.ASSISTANT).setContent(delta).build())
                .build()
            : CompletionOutput.newBuilder().setText(delta).build();
    return base(r, flushedMs, startedMs)
        .setStatus(ResponseStatus.OK)
        .setOutput(output)
        .setChunkIndex(index)
        .setFinalChunk(false)
        .build();
  }

  private InferenceResponse.Builder base(InferenceRequest r, long flushedMs, long startedMs) {
    return InferenceResponse.newBuilder()
        .setRequestId(r.getRequestId())
        .setApp(r.getApp())
        .setDeployment(deployment)
        .setVariant(r.getVariant())
        .setShadow(r.getShadow())
        .setTimings(timings(r, flushedMs, startedMs));
  }

  private static Timings timings(InferenceRequest r, long flushedMs, long startedMs) {
    Timings t = Replies.timings(r, System.currentTimeMillis());
    t.setBatchFlushedAtMs(flushedMs);
    t.setStartedAtMs(startedMs);
    return t;
  }

  /** The reply record: to the request's reply topic/partition, keyed by request id. */
  private ProducerRecord<String, byte[]> reply(InferenceRequest r, InferenceResponse response) {
    String topic = Replies.topicFor(r);
    Headers headers = new RecordHeaders();
    Replies.putRequestHeaders(headers, r);
    return new ProducerRecord<>(
        topic,
        Replies.partitionFor(r),
        r.getRequestId(),
        codecs.responses().serialize(topic, headers, response),
        headers);
  }
}
