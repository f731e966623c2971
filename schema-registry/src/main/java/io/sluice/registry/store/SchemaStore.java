package io.sluice.registry.store;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Where the registry keeps its log of {@link StoreRecord}s. The registry holds its state in memory
 * and uses the store only to rebuild that state on start ({@link #load}) and to make each change
 * durable before it answers ({@link #append}).
 *
 * <p>A store assumes a single writer: only one registry instance appends to it at a time.
 */
public interface SchemaStore extends AutoCloseable {

  /**
   * Replays every persisted record, oldest first, into {@code sink}, and returns once the store's
   * end (as of the call) has been reached.
   *
   * @throws SchemaStoreException if the records cannot be read within {@code timeout}
   */
  void load(Consumer<StoreRecord> sink, Duration timeout);

  /**
   * Durably appends one record and returns only after the store acknowledged it.
   *
   * @throws SchemaStoreException.Timeout if no acknowledgement arrives within {@code timeout}
   * @throws SchemaStoreException if the store refused or failed the write
   */
  void append(StoreRecord record, Duration timeout);

  @Override
  void close();
}
