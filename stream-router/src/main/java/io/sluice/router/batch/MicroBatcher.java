package io.sluice.router.batch;

import io.sluice.avro.FlushReason;
import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.Priority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Micro-batches per deployment and priority class. Every buffered request is one entry of a
 * changelogged store ({@code <priority>/<deployment>/<batchId>/<index>} → Avro binary of the
 * request), written before the input offset can be committed, so a crash loses nothing: the
 * restored task rebuilds its pending batches from the store and flushes them at the next check.
 *
 * <p>A batch is flushed at {@code maxBatchSize} requests, at the token budget, or {@code maxWaitMs}
 * after its first request (checked by a wall-clock punctuator); {@code maxWaitMs = 0} flushes every
 * request at once. INTERACTIVE and BULK requests never share a batch, and the punctuator flushes
 * due INTERACTIVE batches first, so bulk jobs never hold up interactive traffic. Requests whose
 * deadline passed while buffered are handed to {@link Sink#expired} instead of being sent.
 *
 * <p>One instance per task; not thread-safe.
 */
public final class MicroBatcher {
  /** Where flushed batches and expired requests go. */
  public interface Sink {
    void batch(InferenceBatch batch, long firstArrivalMs, long nowMs);

    void expired(InferenceRequest request, long nowMs);
  }

  private final SpecificDatumWriter<InferenceRequest> writer =
      new SpecificDatumWriter<>(InferenceRequest.class);
  private final SpecificDatumReader<InferenceRequest> reader =
      new SpecificDatumReader<>(InferenceRequest.class);

  private final KeyValueStore<String, byte[]> store;
  private final Sink sink;
  private final Map<String, PendingBatch> pending = new LinkedHashMap<>();
  private BinaryEncoder encoder;

  public MicroBatcher(KeyValueStore<String, byte[]> store, Sink sink) {
    this.store = store;
    this.sink = sink;
    restore();
  }

  /** Adds a routed request (deployment and priority set) and flushes if a limit is reached. */
  public void add(InferenceRequest request, BatchLimits limits, long nowMs) {
    String deployment = request.getDeployment();
    Priority priority = request.getPriority();
    String key = priority.name() + "/" + deployment;
    int tokens = TokenEstimator.estimate(request);
    PendingBatch b = pending.get(key);
    if (b != null
        && limits.maxBatchTokens() != null
        && b.tokens + tokens > limits.maxBatchTokens()) {
      flush(b, FlushReason.TOKENS, nowMs);
      b = null;
    }
    if (b == null) {
      b = new PendingBatch(key, deployment, priority, UUID.randomUUID().toString(), nowMs, limits);
      pending.put(key, b);
    }
    b.limits = limits;
    store.put(b.entryKey(b.requests.size()), encode(request));
    b.requests.add(request);
    b.tokens += tokens;
    if (limits.maxWaitMs() == 0) {
      flush(b, FlushReason.IMMEDIATE, nowMs);
    } else if (b.requests.size() >= limits.maxBatchSize()) {
      flush(b, FlushReason.SIZE, nowMs);
    } else if (limits.maxBatchTokens() != null && b.tokens >= limits.maxBatchTokens()) {
      flush(b, FlushReason.TOKENS, nowMs);
    }
  }

  /** Flushes every batch whose first request has waited {@code maxWaitMs}; interactive first. */
  public void flushDue(long nowMs) {
    List<PendingBatch> due = new ArrayList<>();
    for (PendingBatch b : pending.values()) {
      if (nowMs - b.firstArrivalMs >= b.limits.maxWaitMs()
          || b.requests.size() >= b.limits.maxBatchSize()) {
        due.add(b);
      }
    }
    due.sort(
        Comparator.comparing((PendingBatch b) -> b.priority).thenComparing(b -> b.firstArrivalMs));
    for (PendingBatch b : due) {
      flush(b, FlushReason.WAIT, nowMs);
    }
  }

  /** Number of buffered requests (for tests and metrics). */
  public int buffered() {
    return pending.values().stream().mapToInt(b -> b.requests.size()).sum();
  }

  private void flush(PendingBatch b, FlushReason reason, long nowMs) {
    pending.remove(b.mapKey);
    for (int i = 0; i < b.requests.size(); i++) {
      store.delete(b.entryKey(i));
    }
    List<InferenceRequest> live = new ArrayList<>(b.requests.size());
    int tokens = 0;
    for (InferenceRequest r : b.requests) {
      Instant deadline = r.getDeadlineMs();
      if (deadline != null && deadline.toEpochMilli() <= nowMs) {
        sink.expired(r, nowMs);
      } else {
        live.add(r);
        tokens += TokenEstimator.estimate(r);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    InferenceBatch batch =
        InferenceBatch.newBuilder()
            .setBatchId(b.batchId)
            .setDeployment(b.deployment)
            .setPriority(b.priority)
            .setRequests(live)
            .setFirstArrivalMs(Instant.ofEpochMilli(b.firstArrivalMs))
            .setFlushedAtMs(Instant.ofEpochMilli(nowMs))
            .setFlushReason(reason)
            .setEstimatedTokens(tokens)
            .build();
    sink.batch(batch, b.firstArrivalMs, nowMs);
  }

  /** Rebuilds pending batches from the (restored) store. Their limits are unknown: flush soon. */
  private void restore() {
    Map<String, TreeMap<String, InferenceRequest>> byBatch = new LinkedHashMap<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        String batchKey = kv.key.substring(0, kv.key.lastIndexOf('/'));
        byBatch.computeIfAbsent(batchKey, k -> new TreeMap<>()).put(kv.key, decode(kv.value));
      }
    }
    for (Map.Entry<String, TreeMap<String, InferenceRequest>> e : byBatch.entrySet()) {
      String[] parts = e.getKey().split("/", 3);
      Priority priority = Priority.valueOf(parts[0]);
      String bufferKey = parts[0] + "/" + parts[1];
      InferenceRequest first = e.getValue().firstEntry().getValue();
      long firstArrival = first.getRoutedAtMs() == null ? 0 : first.getRoutedAtMs().toEpochMilli();
      // Limits are not stored; a restored batch has already waited through a restart.
      PendingBatch b =
          new PendingBatch(
              bufferKey, parts[1], priority, parts[2], firstArrival, new BatchLimits(1, 0, null));
      int i = 0;
      for (Map.Entry<String, InferenceRequest> r : e.getValue().entrySet()) {
        if (!r.getKey().equals(b.entryKey(i))) {
          // Entry keys are rewritten densely so flush() deletes exactly what is stored.
          store.delete(r.getKey());
          store.put(b.entryKey(i), encode(r.getValue()));
        }
        b.requests.add(r.getValue());
        b.tokens += TokenEstimator.estimate(r.getValue());
        i++;
      }
      // Keyed apart from the live buffer: a restored batch is only ever flushed, never extended.
      b.mapKey = e.getKey();
      pending.put(b.mapKey, b);
    }
  }

  private byte[] encode(InferenceRequest r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    encoder = EncoderFactory.get().binaryEncoder(out, encoder);
    try {
      writer.write(r, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private InferenceRequest decode(byte[] bytes) {
    BinaryDecoder d = DecoderFactory.get().binaryDecoder(bytes, null);
    try {
      return reader.read(null, d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
