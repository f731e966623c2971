package io.sluice.bridge.internal;

import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.schemas.Replies;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes requests (and pending markers of async results) to Kafka without ever blocking an event
 * loop, every wait bounded by {@code sluice.bridge.kafka-timeout-ms} (max.block.ms and
 * delivery.timeout.ms), so an unreachable Kafka becomes a failed future, never a hang.
 *
 * <p>A write can wait in two places: for the Schema Registry (the first record of a topic) and in
 * {@code KafkaProducer.send} (for the topic's metadata, or for buffer space). So a write goes one
 * of two ways. <b>Inline</b> (the common case, {@code sluice.bridge.inline-send}): once a topic's
 * schema id is cached, the record is serialized on the caller's thread and handed to a second
 * producer whose {@code max.block.ms} is 0, so {@code send()} either takes the record at once or
 * says it would have waited (a {@code TimeoutException} given to the callback before {@code send}
 * returns; the record was not taken). <b>Pooled</b>: the first write of a topic, and an inline
 * write that would have waited, run on a small pool with the producer that may wait. Both producers
 * have the same guarantees (acks=all, idempotence, the same bounds); the inline way only saves the
 * hand-off to a pool thread, which on a loaded machine costs a wait for a core on every call.
 */
public final class Submitter implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;

  /** The producer that never waits in {@code send()}; null when inline sends are off. */
  private final KafkaProducer<String, byte[]> inline;

  private final Serializer<InferenceRequest> requests;
  private final Serializer<InferenceResponse> responses;

  /** Topics whose schema id each serializer has cached (it never forgets one): no I/O to encode. */
  private final Set<String> requestTopics = ConcurrentHashMap.newKeySet();

  private final Set<String> responseTopics = ConcurrentHashMap.newKeySet();

  private final ExecutorService pool;
  private final long timeoutMs;

  /**
   * @param inlineSend whether to send on the caller's thread when that cannot wait (see the class
   *     comment); false: every write goes through the pool
   */
  public Submitter(
      String bootstrap,
      long timeoutMs,
      Serializer<InferenceRequest> requests,
      Serializer<InferenceResponse> responses,
      Map<String, String> overrides,
      Map<String, Object> shared,
      boolean inlineSend) {
    this.producer =
        new KafkaProducer<>(
            producerProperties(bootstrap, "sluice-bridge", timeoutMs, overrides, shared));
    if (inlineSend) {
      Properties p =
          producerProperties(bootstrap, "sluice-bridge-inline", timeoutMs, overrides, shared);
      // Never wait in send(): a record that would wait is refused at once and goes to the pool.
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
      this.inline = new KafkaProducer<>(p);
    } else {
      this.inline = null;
    }
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
   * A/B split keeps a user on one variant. Otherwise the record has no key: the router's stickiness
   * then falls back to the request id, as it would for the id as key, and the producer's sticky
   * partitioner fills one partition's batch at a time instead of spreading concurrent calls one
   * record per partition over every partition of the topic.
   */
  public CompletableFuture<Void> submit(InferenceRequest request) {
    String topic = Topics.requests(request.getApp());
    String user = request.getAttributes().get("user");
    return send(
        topic,
        user == null || user.isBlank() ? null : user,
        requestTopics,
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
        responseTopics,
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
        null,
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

  /**
   * Writes one record, inline if {@code encoded} (the topics whose schema id is cached; null: the
   * value needs no encoding) says it cannot wait, else on the pool.
   */
  private CompletableFuture<Void> send(
      String topic, String key, Set<String> encoded, SerializeStep serialize) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (inline != null && (encoded == null || encoded.contains(topic))) {
      ProducerRecord<String, byte[]> record;
      try {
        record = record(topic, key, serialize.run());
      } catch (RuntimeException e) {
        outcome(e);
        done.completeExceptionally(e);
        return done;
      }
      if (!sendInline(record, done)) {
        // It would have waited (metadata the inline producer has not fetched yet, or a full
        // buffer): the pool's producer may wait, within the same bound.
        pooled(done, () -> record);
      }
      return done;
    }
    pooled(
        done,
        () -> {
          ProducerRecord<String, byte[]> record = record(topic, key, serialize.run());
          if (encoded != null) {
            encoded.add(topic);
          }
          return record;
        });
    return done;
  }

  private static ProducerRecord<String, byte[]> record(String topic, String key, Serialized s) {
    return new ProducerRecord<>(topic, null, key, s.value(), s.headers());
  }

  private interface RecordStep {
    ProducerRecord<String, byte[]> run();
  }

  /** On a pool thread: makes the record (may call the registry) and sends it (may wait). */
  private void pooled(CompletableFuture<Void> done, RecordStep make) {
    long queuedAt = System.nanoTime();
    try {
      pool.execute(
          () -> {
            try {
              if (System.nanoTime() - queuedAt > TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                throw new TimeoutException(
                    "queued longer than " + timeoutMs + " ms behind other sends");
              }
              produce(producer, make.run(), (md, e) -> finish(done, e));
            } catch (RuntimeException e) {
              finish(done, e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      done.completeExceptionally(e);
    }
  }

  /**
   * Hands the record to the inline producer; false if it was not taken because taking it would have
   * meant waiting (then nothing was sent and {@code done} is untouched).
   */
  private boolean sendInline(ProducerRecord<String, byte[]> record, CompletableFuture<Void> done) {
    InlineCallback callback = new InlineCallback(done);
    try {
      produce(inline, record, callback);
    } catch (RuntimeException e) {
      finish(done, e);
      return true;
    }
    return callback.returned();
  }

  /**
   * The callback of an inline send. {@code KafkaProducer.send} gives an error it finds before
   * taking the record to the callback on the caller's thread, before returning; with {@code
   * max.block.ms=0} a {@link TimeoutException} there (metadata not present, buffer full: {@code
   * BufferExhaustedException} is one) means "would have waited", and the record was not taken.
   */
  private final class InlineCallback implements Callback {
    private final Thread caller = Thread.currentThread();
    private final CompletableFuture<Void> done;

    /** Both read and written on the caller's thread only. */
    private boolean sendReturned;

    private boolean wouldWait;

    InlineCallback(CompletableFuture<Void> done) {
      this.done = done;
    }

    @Override
    public void onCompletion(RecordMetadata md, Exception e) {
      if (Thread.currentThread() == caller && !sendReturned && e instanceof TimeoutException) {
        wouldWait = true;
        return;
      }
      finish(done, e);
    }

    /** Called once send() returned: whether the record was taken. */
    boolean returned() {
      sendReturned = true;
      return !wouldWait;
    }
  }

  private void finish(CompletableFuture<Void> done, Throwable e) {
    outcome(e);
    if (e == null) {
      done.complete(null);
    } else {
      done.completeExceptionally(e);
    }
  }

  /**
   * {@code KafkaProducer.send} with a callback: the producer hands every outcome of the returned
   * future to the callback too (an error found before sending is either thrown, and caught by the
   * caller, or given to the callback), so the future has nothing left to report.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // false positive: the callback gets every outcome
  private static void produce(
      KafkaProducer<String, byte[]> producer,
      ProducerRecord<String, byte[]> record,
      Callback callback) {
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
    if (inline != null) {
      inline.close(Duration.ofMillis(timeoutMs));
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
