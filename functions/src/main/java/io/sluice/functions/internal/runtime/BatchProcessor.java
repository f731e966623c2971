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
import io.sluice.functions.internal.Backoff;
import io.sluice.functions.internal.FailureClassifier;
import io.sluice.functions.internal.FailureClassifier.Verdict;
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
 */
public final class BatchProcessor {
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

  public BatchProcessor(
      String deployment,
      SluiceFunction function,
      Backoff retry,
      Codecs codecs,
      WorkerMetrics metrics) {
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
  public List<ProducerRecord<String, byte[]>> process(
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
      return List.of(deadLetterRecord(dl, record.key(), record.headers()));
    }
    return run(record, batch, chunks);
  }

  private List<ProducerRecord<String, byte[]>> run(
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

    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    Map<String, AtomicInteger> chunkIndex = new ConcurrentHashMap<>();
    ChunkSink sink =
        (request, delta) -> {
          int index =
              chunkIndex
                  .computeIfAbsent(request.getRequestId(), k -> new AtomicInteger())
                  .getAndIncrement();
          chunkOut.accept(reply(request, chunk(request, delta, index, flushedMs, startedMs)));
        };

    List<Integer> todo = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      InferenceRequest r = requests.get(i);
      if (Replies.isExpired(r, startedMs)) {
        out.add(expired(r, flushedMs, startedMs));
      } else {
        todo.add(i);
      }
    }
    for (int attempt = 1; !todo.isEmpty(); attempt++) {
      List<InferenceRequest> items = todo.stream().map(requests::get).toList();
      List<ItemResult> results = apply(batch, items, attempt, sink);
      List<Integer> again = new ArrayList<>();
      for (int j = 0; j < items.size(); j++) {
        InferenceRequest r = items.get(j);
        ItemResult result = results.get(j);
        if (result instanceof ItemResult.Success ok) {
          int chunksSent = chunkIndex.getOrDefault(r.getRequestId(), new AtomicInteger()).get();
          out.add(reply(r, success(r, ok, chunksSent, flushedMs, startedMs)));
          metrics.reply(true);
          continue;
        }
        Throwable error = ((ItemResult.Failure) result).error();
        Verdict v = FailureClassifier.classify(error);
        if (v.retriable() && attempt < retry.maxAttempts()) {
          again.add(todo.get(j));
          continue;
        }
        metrics.error(v.code(), v.cause());
        out.add(failed(record, r, v, attempt, flushedMs, startedMs));
        out.add(deadLetter(record, r, v, attempt));
      }
      if (again.isEmpty()) {
        break;
      }
      metrics.retry(again.size());
      Thread.sleep(retry.delayMs(attempt));
      long now = System.currentTimeMillis();
      todo = new ArrayList<>();
      for (int i : again) {
        if (Replies.isExpired(requests.get(i), now)) {
          out.add(expired(requests.get(i), flushedMs, startedMs));
        } else {
          todo.add(i);
        }
      }
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

  private ProducerRecord<String, byte[]> expired(
      InferenceRequest r, long flushedMs, long startedMs) {
    metrics.error(ErrorCodes.DEADLINE_EXCEEDED, null);
    metrics.reply(false);
    InferenceResponse resp =
        Replies.error(
            r,
            ErrorCodes.DEADLINE_EXCEEDED,
            "deadline passed before the function ran",
            false,
            null);
    resp.setDeployment(deployment);
    resp.setTimings(timings(r, flushedMs, startedMs));
    ProducerRecord<String, byte[]> rec = reply(r, resp);
    SluiceHeaders.put(rec.headers(), SluiceHeaders.ERROR_CODE, ErrorCodes.DEADLINE_EXCEEDED);
    return rec;
  }

  private ProducerRecord<String, byte[]> failed(
      ConsumerRecord<byte[], byte[]> record,
      InferenceRequest r,
      Verdict v,
      int attempts,
      long flushedMs,
      long startedMs) {
    metrics.reply(false);
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
    ProducerRecord<String, byte[]> rec = reply(r, resp);
    SluiceHeaders.put(rec.headers(), SluiceHeaders.ERROR_CODE, v.code());
    SluiceHeaders.put(rec.headers(), SluiceHeaders.ERROR_STAGE, stage);
    return rec;
  }

  private ProducerRecord<String, byte[]> deadLetter(
      ConsumerRecord<byte[], byte[]> record, InferenceRequest r, Verdict v, int attempts) {
    metrics.deadLetter();
    byte[] original = encodeRequest(r, record.value());
    DeadLetter dl =
        DeadLetters.of(
            stage,
            v.code(),
            "item failed after " + attempts + " attempt(s)",
            v.cause(),
            provenance(record, original),
            r.getRequestId(),
            r.getApp(),
            deployment,
            attempts);
    return deadLetterRecord(
        dl, r.getRequestId().getBytes(java.nio.charset.StandardCharsets.UTF_8), record.headers());
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
