package io.sluice.bridge.internal;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes requests (and pending markers of async results) to Kafka without ever blocking an event
 * loop: {@code send()} may wait for metadata or the Schema Registry, so it runs on a small pool,
 * and every wait is bounded by {@code sluice.bridge.kafka-timeout-ms} (max.block.ms and
 * delivery.timeout.ms), so an unreachable Kafka becomes a failed future, never a hang.
 */
public final class Submitter implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final Serializer<InferenceRequest> requests;
  private final Serializer<InferenceResponse> responses;
  private final ExecutorService pool;
  private final long timeoutMs;

  public Submitter(
      String bootstrap,
      long timeoutMs,
      Serializer<InferenceRequest> requests,
      Serializer<InferenceResponse> responses,
      Map<String, String> overrides,
      Map<String, Object> shared) {
    this.producer =
        new KafkaProducer<>(
            producerProperties(bootstrap, "sluice-bridge", timeoutMs, overrides, shared));
    this.requests = requests;
    this.responses = responses;
    this.timeoutMs = timeoutMs;
    this.pool =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "sluice-bridge-producer");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Writes a request to {@code sluice.requests.<app>} with its headers, keyed by the caller's
   * {@code user} attribute (OpenAI's {@code user} field) when it has one, so the router's sticky
   * A/B split keeps a user on one variant; otherwise by request id.
   */
  public CompletableFuture<Void> submit(InferenceRequest request) {
    String topic = Topics.requests(request.getApp());
    String user = request.getAttributes().get("user");
    return send(
        topic,
        user == null || user.isBlank() ? request.getRequestId() : user,
        () -> {
          RecordHeaders h = new RecordHeaders();
          Replies.putRequestHeaders(h, request);
          return new Serialized(requests.serialize(topic, h, request), h);
        });
  }

  /** Writes a result-topic record (a pending marker), keyed by request id. */
  public CompletableFuture<Void> record(String topic, InferenceResponse response) {
    return send(
        topic,
        response.getRequestId(),
        () -> {
          RecordHeaders h = new RecordHeaders();
          SluiceHeaders.put(h, SluiceHeaders.REQUEST_ID, response.getRequestId());
          return new Serialized(responses.serialize(topic, h, response), h);
        });
  }

  /**
   * Deletes the results-topic record of {@code requestId} (a tombstone): a pending marker whose
   * request could not be produced must not keep every replica waiting for a result that will never
   * come, nor make a retry with the same Idempotency-Key look taken.
   */
  public CompletableFuture<Void> clear(String topic, String requestId) {
    return send(
        topic,
        requestId,
        () -> {
          RecordHeaders h = new RecordHeaders();
          SluiceHeaders.put(h, SluiceHeaders.REQUEST_ID, requestId);
          return new Serialized(null, h);
        });
  }

  /**
   * False while the last write failed for Kafka's reasons (not a too-large record) and no write
   * succeeded since, for at most {@link #FAILURE_MEMORY_MS}: the producer cannot do its job. It
   * forgets after that so that a replica taken out of service by its readiness can come back (the
   * consumers' probes still see a broker that is gone).
   */
  public boolean healthy() {
    return !failing
        || System.nanoTime() - failedAtNanos > TimeUnit.MILLISECONDS.toNanos(FAILURE_MEMORY_MS);
  }

  static final long FAILURE_MEMORY_MS = 15_000;

  private volatile boolean failing;
  private volatile long failedAtNanos;

  private void outcome(Throwable e) {
    if (e == null) {
      failing = false;
    } else if (!ProduceFailures.tooLarge(e)) {
      failedAtNanos = System.nanoTime();
      failing = true;
    }
  }

  private record Serialized(byte[] value, RecordHeaders headers) {}

  private interface SerializeStep {
    Serialized run();
  }

  private CompletableFuture<Void> send(String topic, String key, SerializeStep serialize) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long queuedAt = System.nanoTime();
    try {
      pool.execute(
          () -> {
            try {
              if (System.nanoTime() - queuedAt > TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                throw new org.apache.kafka.common.errors.TimeoutException(
                    "queued longer than " + timeoutMs + " ms behind other sends");
              }
              Serialized s = serialize.run();
              produce(
                  new ProducerRecord<>(topic, null, key, s.value(), s.headers()),
                  (md, e) -> {
                    outcome(e);
                    if (e == null) {
                      done.complete(null);
                    } else {
                      done.completeExceptionally(e);
                    }
                  });
            } catch (RuntimeException e) {
              outcome(e);
              done.completeExceptionally(e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /**
   * {@code KafkaProducer.send} with a callback: the producer hands every outcome of the returned
   * future to the callback too (an error found before sending is either thrown, and caught by the
   * caller, or given to the callback), so the future has nothing left to report.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // false positive: the callback gets every outcome
  private void produce(ProducerRecord<String, byte[]> record, Callback callback) {
    producer.send(record, callback);
  }

  @Override
  public void close() {
    pool.shutdown();
    try {
      pool.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofMillis(timeoutMs));
  }

  /**
   * The settings of every bridge producer: the pass-through keys, then the one record-size limit
   * ({@code max.request.size}) every Sluice producer shares, then what the bridge fixes — acks from
   * all replicas, idempotence, no linger (interactive traffic is sent at once, never held to fill a
   * batch) and every wait bounded by {@code timeoutMs}, so a send never hangs.
   */
  static Properties producerProperties(
      String bootstrap,
      String clientId,
      long timeoutMs,
      Map<String, String> overrides,
      Map<String, Object> shared) {
    Properties p = new Properties();
    p.putAll(overrides);
    p.putAll(shared);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeoutMs));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    return p;
  }
}
