package io.sluice.testkit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A consumer polled on its own daemon thread until {@link #close()}, the loop every fake worker and
 * replica stand-in of the tests runs. The thread owns the consumer (a {@code KafkaConsumer} is not
 * thread-safe) and closes it on the way out; {@code close()} wakes it and waits for it.
 *
 * <pre>{@code
 * PollLoop<String, String> loop =
 *     PollLoop.start("replica", consumer, c -> c.poll(Duration.ofMillis(100)).forEach(...));
 * }</pre>
 */
public final class PollLoop<K, V> implements AutoCloseable {
  private static final Duration JOIN = Duration.ofSeconds(10);

  private final KafkaConsumer<K, V> consumer;
  private final Consumer<KafkaConsumer<K, V>> step;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private PollLoop(String name, KafkaConsumer<K, V> consumer, Consumer<KafkaConsumer<K, V>> step) {
    this.consumer = consumer;
    this.step = step;
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
  }

  /**
   * Runs {@code step} (one poll and its handling) over and over on a new thread named {@code name}.
   */
  public static <K, V> PollLoop<K, V> start(
      String name, KafkaConsumer<K, V> consumer, Consumer<KafkaConsumer<K, V>> step) {
    PollLoop<K, V> loop = new PollLoop<>(name, consumer, step);
    loop.thread.start();
    return loop;
  }

  /** False once the loop ended: closed, or a step threw (the thread's handler saw it). */
  public boolean alive() {
    return thread.isAlive();
  }

  private void run() {
    try {
      while (running.get()) {
        step.accept(consumer);
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      thread.join(JOIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
