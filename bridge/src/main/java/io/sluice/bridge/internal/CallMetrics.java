package io.sluice.bridge.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice.bridge.call}: one timing per finished wait, by route, app and HTTP status. The app
 * is one the route table knows (a call to another is refused before it is timed), so the tag's
 * values are bounded by the manifest's apps.
 *
 * <p>Each timer is looked up in the registry once and kept: building and registering it on every
 * call (a builder, its tags, the status as a string, the registry's id lookup) was the event loop's
 * largest allocation per call in a JFR recording of the bridge benchmark.
 */
final class CallMetrics {
  private final MeterRegistry metrics;
  private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();

  private record Key(String route, String app, int status) {}

  CallMetrics(MeterRegistry metrics) {
    this.metrics = metrics;
  }

  /** Records a finished wait; status 0 means the client went away first. */
  void record(Dialect d, String app, int status, long nanos) {
    timers
        .computeIfAbsent(new Key(d.metricTag(), app, status), this::timer)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(Key k) {
    return Timer.builder("sluice.bridge.call")
        .description("Calls from HTTP request to reply")
        .tag("route", k.route())
        .tag("app", k.app())
        .tag("status", k.status() == 0 ? "client_gone" : Integer.toString(k.status()))
        .publishPercentileHistogram()
        .register(metrics);
  }
}
