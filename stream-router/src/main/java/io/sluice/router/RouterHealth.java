package io.sluice.router;

import io.sluice.common.ops.Health;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether the router is routing, for {@code /readyz} and {@code /healthz}. Ready needs all of:
 * Kafka Streams RUNNING or REBALANCING, no stream thread failed within {@link #WINDOW}, and no
 * transient dependency (Schema Registry, topic metadata, the broker on a send) failed within it. A
 * failure is reported with its reason; readiness comes back by itself {@code WINDOW} after the last
 * one. Live while Streams runs, rebalances or is being created: a registry outage makes the router
 * unready, not dead (a restart would not bring the registry back).
 */
public final class RouterHealth {
  /** How long a failure keeps the router unready. */
  public static final Duration WINDOW = Duration.ofSeconds(10);

  private record Failure(long atMs, String reason) {}

  private final Supplier<KafkaStreams.State> state;
  private final LongSupplier clock;
  private final List<Consumer<Throwable>> threadListeners = new CopyOnWriteArrayList<>();
  private volatile Failure lastThreadFailure;
  private volatile Failure lastTransient;

  public RouterHealth(Supplier<KafkaStreams.State> state, LongSupplier clock) {
    this.state = state;
    this.clock = clock;
  }

  /** A stream thread died (it is replaced). */
  public void threadFailed(Throwable e) {
    lastThreadFailure = new Failure(clock.getAsLong(), describe(e));
    threadListeners.forEach(l -> l.accept(e));
  }

  /** A dependency failed in a way that may pass: the record is retried, not dead-lettered. */
  public void transientFailure(String reason) {
    lastTransient = new Failure(clock.getAsLong(), reason);
  }

  public void onThreadFailure(Consumer<Throwable> listener) {
    threadListeners.add(listener);
  }

  public Health readiness() {
    KafkaStreams.State s = state.get();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("streams", s.name());
    boolean up = s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING;
    if (!up) {
      details.put("reason", "Kafka Streams is " + s.name());
    }
    long now = clock.getAsLong();
    Failure t = lastThreadFailure;
    if (t != null && now - t.atMs < WINDOW.toMillis()) {
      up = false;
      details.put("reason", "a stream thread failed " + (now - t.atMs) + " ms ago: " + t.reason);
    }
    Failure d = lastTransient;
    if (d != null && now - d.atMs < WINDOW.toMillis()) {
      up = false;
      details.put("dependency", d.reason + " (" + (now - d.atMs) + " ms ago)");
      details.putIfAbsent("reason", "a dependency is failing: " + d.reason);
    }
    return up ? Health.up(details) : Health.down(details);
  }

  public Health liveness() {
    KafkaStreams.State s = state.get();
    boolean up = s.isRunningOrRebalancing() || s == KafkaStreams.State.CREATED;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("streams", s.name());
    if (!up) {
      details.put("reason", "Kafka Streams is " + s.name());
    }
    return up ? Health.up(details) : Health.down(details);
  }

  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getClass().getSimpleName() + ": " + root.getMessage();
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }
}
