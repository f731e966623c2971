package io.sluice.bridge.internal;

import io.sluice.avro.InferenceResponse;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open HTTP requests of this replica, by request id. A reply for an id that is not here belongs
 * to another replica (or to a client that gave up) and is ignored, which is what makes several
 * replicas reading the same partitions safe.
 */
public final class PendingReplies {
  /** Receives the reply chunks of one request; called on a Kafka consumer thread. */
  public interface Waiter {
    void onReply(InferenceResponse response);
  }

  private final ConcurrentHashMap<String, Waiter> waiters = new ConcurrentHashMap<>();

  /** Registers a waiter; false if the id is already awaited here. */
  public boolean register(String requestId, Waiter w) {
    return waiters.putIfAbsent(requestId, w) == null;
  }

  public void remove(String requestId, Waiter w) {
    waiters.remove(requestId, w);
  }

  public boolean isPending(String requestId) {
    return requestId != null && waiters.containsKey(requestId);
  }

  /** Hands a reply to its waiter; the final chunk unregisters it. True if someone waited. */
  public boolean dispatch(InferenceResponse r) {
    String id = r.getRequestId();
    Waiter w = waiters.get(id);
    if (w == null) {
      return false;
    }
    if (r.getFinalChunk()) {
      waiters.remove(id, w);
    }
    w.onReply(r);
    return true;
  }

  public int size() {
    return waiters.size();
  }
}
