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
    boolean released; // never done: see release()
    T outcome;
  }

  void fetched(long offset) {
    offsets.put(offset, new Slot<>());
  }

  void finished(long offset, T outcome) {
    Slot<T> slot = offsets.get(offset);
    if (slot != null && !slot.released) {
      slot.done = true;
      slot.outcome = outcome;
    }
  }

  /**
   * Marks an offset that will not be processed here (handed back on revoke before it started). It
   * stays in place as unfinished, so the committable position never passes it: with BULK batches
   * started after interactive ones, such an offset can lie below finished ones, and committing past
   * it would skip it for the partition's next owner.
   */
  void release(long offset) {
    Slot<T> slot = offsets.get(offset);
    if (slot != null) {
      slot.released = true;
    }
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
