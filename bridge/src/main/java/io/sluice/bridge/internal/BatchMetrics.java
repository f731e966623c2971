package io.sluice.bridge.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code sluice_bridge_batch_*}: batches by status (as this replica's copy of the jobs topic sees
 * them, so every replica reports the same), lines by outcome, and lines in flight here.
 */
final class BatchMetrics {
  private static final List<String> STATUSES =
      List.of(
          BatchStatus.VALIDATING,
          BatchStatus.FAILED,
          BatchStatus.IN_PROGRESS,
          BatchStatus.FINALIZING,
          BatchStatus.COMPLETED,
          BatchStatus.EXPIRED,
          BatchStatus.CANCELLING,
          BatchStatus.CANCELLED);

  private final MeterRegistry registry;
  private final Map<BatchRun.Outcome, Counter> lines = new EnumMap<>(BatchRun.Outcome.class);

  BatchMetrics(MeterRegistry registry, BatchTable jobs) {
    this.registry = registry;
    for (String s : STATUSES) {
      Gauge.builder(
              "sluice.bridge.batch.jobs",
              jobs,
              t -> t.records().stream().filter(j -> s.equals(j.path("status").asText())).count())
          .tag("status", s)
          .description("Batches by status")
          .register(registry);
    }
    for (BatchRun.Outcome o : BatchRun.Outcome.values()) {
      lines.put(
          o,
          Counter.builder("sluice.bridge.batch.lines")
              .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
              .description("Batch line replies by outcome (duplicates are dropped)")
              .register(registry));
    }
  }

  void inFlight(AtomicInteger n) {
    Gauge.builder("sluice.bridge.batch.lines.in.flight", n, AtomicInteger::get)
        .description("Batch lines sent by this replica and not answered yet")
        .register(registry);
  }

  void line(BatchRun.Outcome o) {
    lines.get(o).increment();
  }

  void finished(String status) {
    registry.counter("sluice.bridge.batch.finished", "status", status).increment();
  }
}
