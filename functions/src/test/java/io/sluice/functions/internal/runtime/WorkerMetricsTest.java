package io.sluice.functions.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The replica meters a worker exports, and that a stopped replica leaves none behind. */
class WorkerMetricsTest {

  @Test
  void eachReplicaExportsUpAndStartTimeAndTheDeploymentCountsItsStarts() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicBoolean ready = new AtomicBoolean(false);
    WorkerMetrics a = new WorkerMetrics(registry, "chat", "chat-0");
    a.lifecycle(ready::get, 1_700_000_000_000L);
    WorkerMetrics b = new WorkerMetrics(registry, "chat", "chat-1");
    b.lifecycle(() -> true, 1_700_000_001_000L);

    assertThat(registry.get("sluice.worker.up").tag("worker", "chat-0").gauge().value()).isZero();
    ready.set(true);
    assertThat(registry.get("sluice.worker.up").tag("worker", "chat-0").gauge().value())
        .isEqualTo(1.0);
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("sluice_worker_up{deployment=\"chat\",worker=\"chat-1\"} 1.0")
        .contains("sluice_worker_start_time_seconds{deployment=\"chat\",worker=\"chat-0\"}")
        .contains("sluice_worker_starts_total{deployment=\"chat\"} 2.0");
    assertThat(registry.get("sluice.worker.start.time").tag("worker", "chat-0").gauge().value())
        .isEqualTo(1_700_000_000.0);
  }

  @Test
  void closingAReplicaRemovesItsGaugesAndCountersButNotTheOtherReplicasOrTheStarts() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    WorkerMetrics stopped = new WorkerMetrics(registry, "chat", "chat-1");
    stopped.lifecycle(() -> true, 0);
    stopped.error("invalid_input", new IllegalArgumentException());
    stopped.reply(true);
    WorkerMetrics other = new WorkerMetrics(registry, "chat", "chat-0");
    other.lifecycle(() -> true, 0);
    new WorkerMetrics(registry, "sentiment", "chat-1"); // same id, another deployment: stays

    stopped.close();
    // Nothing holds the "sentiment" metrics object now: a gauge that held it weakly would read
    // NaN after a collection (CI once saw exactly that), so ask for one before scraping.
    System.gc();

    assertThat(registry.getMeters())
        .map(Meter::getId)
        .noneMatch(
            id -> "chat-1".equals(id.getTag("worker")) && "chat".equals(id.getTag("deployment")));
    assertThat(registry.find("sluice.worker.inflight.batches").tag("worker", "chat-0").gauge())
        .isNotNull();
    assertThat(
            registry.find("sluice.worker.inflight.batches").tag("deployment", "sentiment").gauge())
        .isNotNull();
    assertThat(registry.find("sluice.worker.inflight.requests").tag("worker", "chat-0").gauge())
        .isNotNull();
    assertThat(registry.get("sluice.worker.starts").tag("deployment", "chat").counter().count())
        .isEqualTo(2.0);
    // The scrape of what is left has no NaN (a gauge whose worker was collected reads NaN).
    assertThat(registry.scrape()).doesNotContain("NaN").contains("worker=\"chat-0\"");
  }
}
