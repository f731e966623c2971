package io.sluice.loadtest.faults;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One request of a fault run, tracked from its intended send time until its reply.
 *
 * <p>A request is <em>accepted</em> once Sluice has taken responsibility for it: the producer's
 * send was acknowledged (Kafka path), or a bridge answered {@code 202 Accepted} with the request's
 * id (HTTP path). Only accepted requests can be lost; a send that failed or a call no bridge
 * accepted is counted as not accepted, with its reason. It is <em>answered</em> once its final
 * reply is in the caller's hands: the first reply on the private reply topic (Kafka), or the result
 * returned by {@code GET /v1/requests/{id}} from any bridge (HTTP). Replies are counted on Kafka
 * (the private reply topic, or the bridges' reply topic for HTTP calls) to find duplicates.
 */
final class Tracked {
  final String id;
  final Path path;
  final String app;
  final long intendedNanos;
  final AtomicInteger replies = new AtomicInteger();
  volatile String bridgeRequestId;
  volatile long acceptedNanos = -1;
  volatile String notAccepted;
  volatile long answeredNanos = -1;
  volatile String errorCode;

  /** The entry path of a request. */
  enum Path {
    KAFKA,
    HTTP
  }

  Tracked(String id, Path path, String app, long intendedNanos) {
    this.id = id;
    this.path = path;
    this.app = app;
    this.intendedNanos = intendedNanos;
  }

  boolean accepted() {
    return acceptedNanos >= 0;
  }

  boolean answered() {
    return answeredNanos >= 0;
  }

  /** Latency from the intended send time to the answer, in ms, or -1 if unanswered. */
  double latencyMs() {
    return answered() ? (answeredNanos - intendedNanos) / 1e6 : -1;
  }
}
