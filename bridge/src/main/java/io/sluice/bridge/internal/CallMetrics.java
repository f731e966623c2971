package io.sluice.bridge.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice.bridge.call}: one timing per finished wait, by route, app and HTTP status. The app
 * is one the route table knows (a call to another is refused before it is timed), so the tag's
 * values are bounded by the manifest's apps.
 */
final class CallMetrics {
  private final MeterRegistry metrics;

  CallMetrics(MeterRegistry metrics) {
    this.metrics = metrics;
  }

  /** Records a finished wait; status 0 means the client went away first. */
  void record(Dialect d, String app, int status, long nanos) {
    Timer.builder("sluice.bridge.call")
        .description("Calls from HTTP request to reply")
        .tag("route", d.metricTag())
        .tag("app", app)
        .tag("status", status == 0 ? "client_gone" : Integer.toString(status))
        .publishPercentileHistogram()
        .register(metrics)
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
