package io.sluice.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends that a test waits for: a record the broker refused fails the test that sent it, instead of
 * being lost in an ignored {@code Future} and showing up later as a missing reply.
 *
 * <pre>{@code
 * Acks.sendAll(producer, List.of(new ProducerRecord<>(topic, "k", "v")));
 * }</pre>
 */
public final class Acks {
  /** How long one acknowledgement may take on a loaded machine. */
  public static final Duration TIMEOUT = Duration.ofMinutes(1);

  private Acks() {}

  /**
   * Sends every record (without waiting in between, so they may share batches), then awaits all.
   */
  public static <K, V> List<RecordMetadata> sendAll(
      Producer<K, V> producer, Collection<ProducerRecord<K, V>> records) {
    List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
    for (ProducerRecord<K, V> r : records) {
      sends.add(producer.send(r));
    }
    producer.flush();
    return await(sends);
  }

  /** Waits for each send's acknowledgement; throws with the broker's reason if one failed. */
  public static List<RecordMetadata> await(Collection<? extends Future<RecordMetadata>> sends) {
    List<RecordMetadata> acked = new ArrayList<>(sends.size());
    for (Future<RecordMetadata> send : sends) {
      try {
        acked.add(send.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        throw new IllegalStateException("a send failed: " + e.getCause(), e.getCause());
      } catch (TimeoutException e) {
        throw new IllegalStateException("a send was not acknowledged within " + TIMEOUT, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while awaiting a send", e);
      }
    }
    return acked;
  }
}
