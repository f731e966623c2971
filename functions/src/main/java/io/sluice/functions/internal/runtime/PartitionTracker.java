package io.sluice.functions.internal.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The offsets of one partition between fetch and commit. Batches of a partition may finish out of
 * order when several run at once; the committable position only moves over a contiguous run of
 * finished offsets, so a crash never skips an unfinished batch. Used by the poll thread only.
 *
 * @param <T> what a finished offset carries (its output records in exactly-once mode)
 */
final class PartitionTracker<T> {
  private final TreeMap<Long, Slot<T>> offsets = new TreeMap<>();

  private static final class Slot<T> {
    boolean done;
    T outcome;
  }

  void fetched(long offset) {
    offsets.put(offset, new Slot<>());
  }

  void finished(long offset, T outcome) {
    Slot<T> slot = offsets.get(offset);
    if (slot != null) {
      slot.done = true;
      slot.outcome = outcome;
    }
  }

  /** Drops an offset that will not be processed here (released before it started). */
  void forget(long offset) {
    offsets.remove(offset);
  }

  boolean isEmpty() {
    return offsets.isEmpty();
  }

  /** Removes the leading finished offsets, returning their outcomes in offset order. */
  List<T> takeContiguous() {
    List<T> out = new ArrayList<>();
    while (!offsets.isEmpty()) {
      Map.Entry<Long, Slot<T>> head = offsets.firstEntry();
      if (!head.getValue().done) {
        break;
      }
      out.add(head.getValue().outcome);
      lastTaken = head.getKey();
      offsets.pollFirstEntry();
    }
    return out;
  }

  private long lastTaken = -1;

  /** The offset to commit after {@link #takeContiguous}: last contiguous finished + 1, or -1. */
  long commitPosition() {
    return lastTaken < 0 ? -1 : lastTaken + 1;
  }
}
