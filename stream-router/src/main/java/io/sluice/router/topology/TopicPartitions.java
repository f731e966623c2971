package io.sluice.router.topology;

import java.util.OptionalInt;

/**
 * How many partitions a topic has, for checking a client's reply destination before anything is
 * written there. Implementations must answer quickly (cached, bounded waits): they are called on
 * the stream thread.
 */
public interface TopicPartitions {
  /**
   * The topic's partition count, or empty if the topic does not exist.
   *
   * @throws MetadataUnavailableException if it cannot be told in time (a transient failure: the
   *     record is retried, never dead-lettered for it)
   */
  OptionalInt partitions(String topic);

  /** Metadata could not be fetched in time. */
  final class MetadataUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MetadataUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
