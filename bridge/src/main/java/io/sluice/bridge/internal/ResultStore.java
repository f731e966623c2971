package io.sluice.bridge.internal;

import io.sluice.avro.InferenceResponse;
import io.sluice.avro.ResponseStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The async and idempotent results every replica knows, fed by the results topic: a bounded,
 * time-limited map from request id to "pending" or the final reply (streamed chunks joined). Any
 * replica can answer {@code GET /v1/requests/{id}} and replay an Idempotency-Key from it.
 */
public final class ResultStore {
  /** What is known of one request: its app, and its final reply once it arrived. */
  public record Entry(String app, InferenceResponse result, long storedAtMs) {
    public boolean done() {
      return result != null;
    }
  }

  private final int maxEntries;
  private final long retentionMs;
  private final long pendingTtlMs;
  private final LongSupplier clock;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, List<Consumer<InferenceResponse>>> waiters = new HashMap<>();

  public ResultStore(int maxEntries, long retentionMs, LongSupplier clock) {
    this(maxEntries, retentionMs, retentionMs, clock);
  }

  /**
   * @param pendingTtlMs how long an id stays pending without a result: past the longest deadline
   *     the bridge gives a request, no result will come (the router drops late work), so a pending
   *     marker older than that (its request failed and its withdrawal was lost too) no longer holds
   *     the id and a retry with the same Idempotency-Key runs
   */
  public ResultStore(int maxEntries, long retentionMs, long pendingTtlMs, LongSupplier clock) {
    this.maxEntries = maxEntries;
    this.retentionMs = retentionMs;
    this.pendingTtlMs = Math.min(pendingTtlMs, retentionMs);
    this.clock = clock;
  }

  private boolean stalePending(Entry e) {
    return e != null && !e.done() && clock.getAsLong() - e.storedAtMs() > pendingTtlMs;
  }

  /**
   * Records that this replica is about to submit {@code id}; false if the id is already known
   * (pending or done), so the caller must not submit it again.
   */
  public synchronized boolean claim(String id, String app) {
    evict();
    Entry known = entries.get(id);
    if (known != null && !stalePending(known)) {
      return false;
    }
    entries.remove(id);
    entries.put(id, new Entry(app, null, clock.getAsLong()));
    return true;
  }

  /** Forgets a claim whose submission failed, so a retry may submit again. */
  public synchronized void release(String id) {
    Entry e = entries.get(id);
    if (e != null && !e.done()) {
      entries.remove(id);
    }
  }

  /**
   * Takes a tombstone of the results topic: the pending marker of {@code id} was withdrawn because
   * its request was never produced, so the id is unknown again (a retry may run it). A stored
   * result is kept.
   */
  public void forget(String id) {
    release(id);
  }

  public synchronized Entry get(String id) {
    Entry e = entries.get(id);
    if (e != null && (clock.getAsLong() - e.storedAtMs() > retentionMs || stalePending(e))) {
      entries.remove(id);
      return null;
    }
    return e;
  }

  /**
   * Takes a record of the results topic: an UNKNOWN-status marker (accepted, pending), a chunk, or
   * the final reply, which wakes whoever waits for it.
   */
  public void accept(InferenceResponse r) {
    List<Consumer<InferenceResponse>> toCall;
    InferenceResponse done;
    synchronized (this) {
      String id = r.getRequestId();
      Entry e = entries.get(id);
      if (r.getStatus() == ResponseStatus.UNKNOWN) {
        if (e == null || stalePending(e)) {
          entries.remove(id);
          entries.put(id, new Entry(r.getApp(), null, clock.getAsLong()));
          evict();
        }
        return;
      }
      if (e != null && e.done()) {
        return; // a duplicate from a redelivery; the first reply stands
      }
      if (!r.getFinalChunk()) {
        return; // streamed deltas: the final chunk carries the whole output
      }
      done = r;
      entries.remove(id);
      entries.put(id, new Entry(r.getApp(), done, clock.getAsLong()));
      evict();
      toCall = waiters.remove(id);
    }
    if (toCall != null) {
      toCall.forEach(c -> c.accept(done));
    }
  }

  /**
   * Calls {@code then} once the result of {@code id} is known (at once if it is). Returns an action
   * that cancels the wait.
   */
  public Runnable whenDone(String id, Consumer<InferenceResponse> then) {
    InferenceResponse now;
    synchronized (this) {
      Entry e = entries.get(id);
      now = e == null ? null : e.result();
      if (now == null) {
        waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(then);
        return () -> cancel(id, then);
      }
    }
    then.accept(now);
    return () -> {};
  }

  private synchronized void cancel(String id, Consumer<InferenceResponse> then) {
    List<Consumer<InferenceResponse>> l = waiters.get(id);
    if (l != null) {
      l.remove(then);
      if (l.isEmpty()) {
        waiters.remove(id);
      }
    }
  }

  public synchronized int size() {
    return entries.size();
  }

  private void evict() {
    long now = clock.getAsLong();
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Entry> head = it.next();
      if (entries.size() > maxEntries || now - head.getValue().storedAtMs() > retentionMs) {
        it.remove();
      } else {
        break;
      }
    }
  }
}
