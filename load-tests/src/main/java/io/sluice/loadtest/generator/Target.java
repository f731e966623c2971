package io.sluice.loadtest.generator;

import java.util.concurrent.CompletableFuture;

/**
 * An entry path into Sluice: the Kafka request topic, the HTTP bridge, or batch submission.
 *
 * <p>{@link #send} must not block: it starts the request and returns a future completed by the
 * reply (or exceptionally). The open-loop generator never waits on it before the next send.
 */
public interface Target extends AutoCloseable {
  CompletableFuture<Reply> send(LoadRequest request);

  /** One line for the report, e.g. {@code kafka localhost:9092 -> sluice.requests.chat}. */
  String describe();

  @Override
  void close();
}
