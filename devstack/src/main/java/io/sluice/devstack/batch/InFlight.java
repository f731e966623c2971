package io.sluice.devstack.batch;

import io.sluice.bridge.batch.BatchLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lines of a run that were sent and not answered, by request id. The first reply to a request
 * takes its line out ({@link #complete}); any later reply to it (a redelivery after a worker crash,
 * a late reply after the line timed out) finds nothing and is dropped, so each line is written at
 * most once. Thread-safe: the sender adds, the reply reader completes, a timer expires.
 */
final class InFlight {
  /** A sent line and when the runner stops waiting for it. */
  record Sent(BatchLine line, String requestId, long giveUpAtNanos) {}

  private final Map<String, Sent> pending = new ConcurrentHashMap<>();
  private final Set<String> finished = ConcurrentHashMap.newKeySet();
  private final Set<String> givenUp = ConcurrentHashMap.newKeySet();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong late = new AtomicLong();
  private final AtomicLong foreign = new AtomicLong();

  void add(Sent s) {
    pending.put(s.requestId(), s);
  }

  /**
   * The line a reply answers, the first time a reply to that request arrives; null for a repeat
   * ({@link #duplicates}), a reply after its line gave up ({@link #late}) or a reply to a request
   * this run did not send ({@link #foreign}: another run sharing the reply partition).
   */
  Sent complete(String requestId) {
    Sent s = pending.remove(requestId);
    if (s != null) {
      finished.add(requestId);
      return s;
    }
    if (finished.contains(requestId)) {
      duplicates.incrementAndGet();
    } else if (givenUp.contains(requestId)) {
      late.incrementAndGet();
    } else {
      foreign.incrementAndGet();
    }
    return null;
  }

  /** Takes out and returns the lines whose time is up at {@code nowNanos}. */
  List<Sent> expire(long nowNanos) {
    List<Sent> out = new ArrayList<>();
    for (Sent s : new ArrayList<>(pending.values())) {
      if (nowNanos - s.giveUpAtNanos() >= 0 && pending.remove(s.requestId(), s)) {
        givenUp.add(s.requestId());
        out.add(s);
      }
    }
    return out;
  }

  /** Takes out a line whose request could not be sent; true if it was still pending. */
  boolean abandon(String requestId) {
    Sent s = pending.remove(requestId);
    if (s != null) {
      givenUp.add(requestId);
    }
    return s != null;
  }

  int size() {
    return pending.size();
  }

  /** Repeated replies to requests already answered (dropped). */
  long duplicates() {
    return duplicates.get();
  }

  /** Replies that arrived after their line gave up (dropped; a resume sends the line again). */
  long late() {
    return late.get();
  }

  /** Replies to requests of other runs on the same reply partition (ignored). */
  long foreign() {
    return foreign.get();
  }
}
