package io.sluice.router.batch;

import io.sluice.avro.FlushReason;
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
import java.util.UUID;
import java.util.function.ToIntFunction;
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
 * Micro-batches per deployment and priority class. Every pending batch is one entry of a
 * changelogged store ({@code <priority>/<deployment>/<batchId>} → the Avro binaries of its
 * requests, concatenated in arrival order), rewritten as each request is added, before the input
 * offset can be committed, so a crash loses nothing: the restored task rebuilds its pending batches
 * from the store and flushes them at the next check. With the store's record cache a batch that is
 * opened and flushed within one commit interval costs the changelog a single tombstone.
 *
 * <p>The request bytes are encoded once, on arrival, and handed to the {@link Sink} as they are:
 * they are the items of the outgoing {@code InferenceBatch}'s {@code requests} array.
 *
 * <p>A batch is flushed at {@code maxBatchSize} requests, at the token budget, before a request
 * that would take it over its byte bound (derived from the producer's record-size limit; a request
 * over the bound on its own is handed to {@link Sink#tooLarge}), or {@code maxWaitMs} after its
 * first request was routed (checked by a wall-clock punctuator; counted from the routing, so the
 * hop from the intake to the batcher is part of the wait, not added to it); {@code maxWaitMs = 0}
 * flushes every request at once. BULK batches wait {@code bulkMaxWaitMs} instead ({@link
 * BatchLimits#maxWaitMs(Priority)}, by default at least 100 ms), so that batch jobs' trickle of
 * lines fills a batch rather than costing the worker one batch per line or two. INTERACTIVE and
 * BULK requests never share a batch, and the punctuator flushes due INTERACTIVE batches first, so
 * bulk jobs never hold up interactive traffic. Requests whose deadline passed while buffered are
 * handed to {@link Sink#expired} instead of being sent.
 *
 * <p>One instance per task; not thread-safe.
 */
public final class MicroBatcher {
  /** Where flushed batches and expired requests go. */
  public interface Sink {
    void batch(EncodedBatch batch);

    void expired(InferenceRequest request, long nowMs);

    /**
     * A request whose encoding alone is larger than a batch of its deployment may be ({@code
     * encodedBytes > maxBytes}): it is not batched.
     */
    void tooLarge(InferenceRequest request, int encodedBytes, int maxBytes, long nowMs);
  }

  private static final Comparator<PendingBatch> FLUSH_ORDER =
      Comparator.comparing((PendingBatch b) -> b.priority).thenComparingLong(b -> b.firstArrivalMs);

  private final SpecificDatumWriter<InferenceRequest> writer =
      new SpecificDatumWriter<>(InferenceRequest.class);
  private final SpecificDatumReader<InferenceRequest> reader =
      new SpecificDatumReader<>(InferenceRequest.class);

  private final KeyValueStore<String, byte[]> store;
  private final Sink sink;
  private final ToIntFunction<String> maxBodyBytes;
  private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(512);
  private final Map<String, PendingBatch> pending = new LinkedHashMap<>();
  private final List<PendingBatch> due = new ArrayList<>();
  private BinaryEncoder encoder;
  private BinaryDecoder decoder;

  /** A batcher without a byte bound (tests). */
  public MicroBatcher(KeyValueStore<String, byte[]> store, Sink sink) {
    this(store, sink, deployment -> Integer.MAX_VALUE);
  }

  /**
   * @param maxBodyBytes per deployment, the most bytes the concatenated request encodings of one
   *     batch may take so that the {@code InferenceBatch} record still fits the producer's limit
   */
  public MicroBatcher(
      KeyValueStore<String, byte[]> store, Sink sink, ToIntFunction<String> maxBodyBytes) {
    this.store = store;
    this.sink = sink;
    this.maxBodyBytes = maxBodyBytes;
    restore();
  }

  /** Adds a routed request (deployment and priority set) and flushes if a limit is reached. */
  public void add(InferenceRequest request, BatchLimits limits, long nowMs) {
    byte[] encoded = encode(request);
    Instant routedAt = request.getRoutedAtMs();
    add(
        RoutedMeta.of(request),
        encoded,
        0,
        encoded.length,
        limits,
        routedAt == null ? nowMs : routedAt.toEpochMilli(),
        nowMs);
  }

  /**
   * Adds a routed request given as its Avro binary encoding ({@code length} bytes of {@code bytes}
   * from {@code offset}, in this code's {@code InferenceRequest} schema) and what the batcher needs
   * of it, so that it is neither decoded nor re-encoded; flushes if a limit is reached. The intake
   * routed it at {@code routedAtMs}: a batch it opens waits {@code maxWaitMs} from then (from now
   * if {@code routedAtMs} is later, as another instance's clock may say), so a request that was
   * routed a while ago — a backlog, a restart — leaves with the next check.
   */
  public void add(
      RoutedMeta meta,
      byte[] bytes,
      int offset,
      int length,
      BatchLimits limits,
      long routedAtMs,
      long nowMs) {
    String deployment = meta.deployment();
    Priority priority = meta.priority();
    String key = priority.name() + "/" + deployment;
    int tokens = meta.tokens();
    int maxBytes = maxBodyBytes.applyAsInt(deployment);
    if (length > maxBytes) {
      sink.tooLarge(decode(bytes, offset, length), length, maxBytes, nowMs);
      return;
    }
    PendingBatch b = pending.get(key);
    if (b != null
        && limits.maxBatchTokens() != null
        && b.tokens + tokens > limits.maxBatchTokens()) {
      flush(b, FlushReason.TOKENS, nowMs);
      b = null;
    }
    // A request that would push the batch over the record-size limit closes it first.
    if (b != null && b.out.size() + length > maxBytes) {
      flush(b, FlushReason.BYTES, nowMs);
      b = null;
    }
    if (b == null) {
      b =
          new PendingBatch(
              key, deployment, priority, UUID.randomUUID().toString(), nowMs, routedAtMs, limits);
      pending.put(key, b);
    }
    b.limits = limits;
    b.out.write(bytes, offset, length);
    store.put(b.storeKey, b.appended(meta.deadlineMs(), tokens));
    if (limits.maxWaitMs(priority) == 0) {
      flush(b, FlushReason.IMMEDIATE, nowMs);
    } else if (b.size() >= limits.maxBatchSize()) {
      flush(b, FlushReason.SIZE, nowMs);
    } else if (limits.maxBatchTokens() != null && b.tokens >= limits.maxBatchTokens()) {
      flush(b, FlushReason.TOKENS, nowMs);
    }
  }

  /**
   * Flushes every batch whose first request has waited its priority's wait ({@code maxWaitMs}, or
   * {@code bulkMaxWaitMs} for BULK); interactive first.
   */
  public void flushDue(long nowMs) {
    // A task holds a handful of buffers (deployments × 2 priorities), so scanning them all on
    // every tick is cheaper than keeping a deadline index up to date on every add.
    for (PendingBatch b : pending.values()) {
      if (nowMs - b.waitFromMs >= b.limits.maxWaitMs(b.priority)
          || b.size() >= b.limits.maxBatchSize()) {
        due.add(b);
      }
    }
    if (due.isEmpty()) {
      return;
    }
    due.sort(FLUSH_ORDER);
    try {
      for (PendingBatch b : due) {
        flush(b, FlushReason.WAIT, nowMs);
      }
    } finally {
      due.clear();
    }
  }

  /** Number of buffered requests (for tests and metrics). */
  public int buffered() {
    int n = 0;
    for (PendingBatch b : pending.values()) {
      n += b.size();
    }
    return n;
  }

  /** Adds the request's encoding to the batch; returns the batch's new value. */
  private byte[] appendEncoded(
      PendingBatch b, InferenceRequest request, byte[] encoded, int tokens) {
    b.out.writeBytes(encoded);
    Instant deadline = request.getDeadlineMs();
    return b.appended(deadline == null ? Long.MAX_VALUE : deadline.toEpochMilli(), tokens);
  }

  /** The request's Avro binary encoding: exactly one item of an encoded batch's request list. */
  private byte[] encode(InferenceRequest request) {
    scratch.reset();
    encoder = EncoderFactory.get().binaryEncoder(scratch, encoder);
    try {
      writer.write(request, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return scratch.toByteArray();
  }

  private void flush(PendingBatch b, FlushReason reason, long nowMs) {
    pending.remove(b.mapKey);
    for (String key : b.restoredKeys) {
      if (!key.equals(b.storeKey)) {
        store.delete(key);
      }
    }
    store.delete(b.storeKey);
    byte[] requests = b.body;
    int size = b.size();
    int tokens = b.tokens;
    if (size == 0) {
      return;
    }
    if (b.anyExpired(nowMs)) {
      ByteArrayOutputStream live = new ByteArrayOutputStream(requests.length);
      size = 0;
      tokens = 0;
      for (int i = 0; i < b.size(); i++) {
        int start = b.start(i);
        int length = b.end(i) - start;
        if (b.expired(i, nowMs)) {
          sink.expired(decode(requests, start, length), nowMs);
        } else {
          live.write(requests, start, length);
          size++;
          tokens += b.tokens(i);
        }
      }
      if (size == 0) {
        return;
      }
      requests = live.toByteArray();
    }
    sink.batch(
        new EncodedBatch(
            b.batchId,
            b.deployment,
            b.priority,
            size,
            requests,
            b.firstArrivalMs,
            nowMs,
            reason,
            tokens));
  }

  /**
   * Rebuilds pending batches from the (restored) store. Their limits are unknown: flush soon. Also
   * reads entries of one request each ({@code .../<batchId>/<index>}, the earlier layout). Nothing
   * is written here (a cached store cannot be written outside processing): a restored batch keeps
   * its entries as they are until it is flushed, and is never extended.
   */
  private void restore() {
    Map<String, List<KeyValue<String, byte[]>>> byBatch = new LinkedHashMap<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        String[] parts = kv.key.split("/", 4);
        String batchKey = parts[0] + "/" + parts[1] + "/" + parts[2];
        byBatch.computeIfAbsent(batchKey, k -> new ArrayList<>()).add(kv);
      }
    }
    for (Map.Entry<String, List<KeyValue<String, byte[]>>> e : byBatch.entrySet()) {
      String[] parts = e.getKey().split("/", 3);
      List<InferenceRequest> requests = new ArrayList<>();
      for (KeyValue<String, byte[]> kv : e.getValue()) {
        decoder = DecoderFactory.get().binaryDecoder(kv.value, decoder);
        try {
          while (!decoder.isEnd()) {
            requests.add(reader.read(null, decoder));
          }
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
      }
      long firstArrival =
          requests.isEmpty() || requests.get(0).getRoutedAtMs() == null
              ? 0
              : requests.get(0).getRoutedAtMs().toEpochMilli();
      // Limits are not stored; a restored batch has already waited through a restart.
      PendingBatch b =
          new PendingBatch(
              parts[0] + "/" + parts[1],
              parts[1],
              Priority.valueOf(parts[0]),
              parts[2],
              firstArrival,
              firstArrival,
              new BatchLimits(1, 0, null, 0));
      for (InferenceRequest r : requests) {
        appendEncoded(b, r, encode(r), TokenEstimator.estimate(r));
      }
      for (KeyValue<String, byte[]> kv : e.getValue()) {
        b.restoredKeys.add(kv.key);
      }
      // Keyed apart from the live buffer: a restored batch is only ever flushed, never extended.
      b.mapKey = b.storeKey;
      pending.put(b.mapKey, b);
    }
  }

  private InferenceRequest decode(byte[] bytes, int offset, int length) {
    decoder = DecoderFactory.get().binaryDecoder(bytes, offset, length, decoder);
    try {
      return reader.read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
