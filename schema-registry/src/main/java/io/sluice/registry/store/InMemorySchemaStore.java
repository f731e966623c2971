package io.sluice.registry.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A store that keeps the log in a list: for unit tests, and to simulate a restart by starting a
 * second registry on the same instance. Not compacted, which gives the same state on replay.
 */
public final class InMemorySchemaStore implements SchemaStore {

  private final List<StoreRecord> records = new ArrayList<>();

  @Override
  public synchronized void load(Consumer<StoreRecord> sink, Duration timeout) {
    List.copyOf(records).forEach(sink);
  }

  @Override
  public synchronized void append(StoreRecord record, Duration timeout) {
    records.add(record);
  }

  /** A snapshot of what has been appended so far. */
  public synchronized List<StoreRecord> records() {
    return List.copyOf(records);
  }

  @Override
  public void close() {
    // Nothing to release: the records stay so that another registry can load them.
  }
}
