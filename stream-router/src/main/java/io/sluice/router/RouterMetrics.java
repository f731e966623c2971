package io.sluice.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The router's Prometheus meters. Meters are cached per tag set so the hot path does no registry
 * lookups.
 *
 * <ul>
 *   <li>{@code sluice_router_requests_total{app,variant}} requests routed
 *   <li>{@code sluice_router_shadow_copies_total{app,deployment}} shadow copies made
 *   <li>{@code sluice_router_batches_total{deployment,priority,reason}} batches flushed
 *   <li>{@code sluice_router_batch_size{deployment}} requests per batch (distribution)
 *   <li>{@code sluice_router_batch_first_wait_seconds{deployment}} wait of each batch's first
 *       request
 *   <li>{@code sluice_router_expired_total{app,stage}} requests past their deadline (stage = route
 *       or flush)
 *   <li>{@code sluice_router_dead_letters_total{code}} records sent to {@code sluice.dlq.router}
 *   <li>{@code sluice_router_routes_rejected_total{app}} invalid route configs ignored
 * </ul>
 */
public final class RouterMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> sizes = new ConcurrentHashMap<>();
  private final Map<String, Timer> waits = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Counter>> routed = new ConcurrentHashMap<>();

  public RouterMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  private Counter counter(String name, String... tags) {
    String id = name + '|' + String.join("|", tags);
    return counters.computeIfAbsent(id, k -> Counter.builder(name).tags(tags).register(registry));
  }

  /** Per request: looked up by app, then variant, without building a key string. */
  public void requestRouted(String app, String variant) {
    routed
        .computeIfAbsent(app, a -> new ConcurrentHashMap<>())
        .computeIfAbsent(variant, v -> counter("sluice.router.requests", "app", app, "variant", v))
        .increment();
  }

  public void shadowCopy(String app, String deployment) {
    counter("sluice.router.shadow.copies", "app", app, "deployment", deployment).increment();
  }

  public void batchFlushed(
      String deployment, String priority, String reason, int size, long firstWaitMs) {
    counter(
            "sluice.router.batches",
            "deployment",
            deployment,
            "priority",
            priority,
            "reason",
            reason)
        .increment();
    sizes
        .computeIfAbsent(
            deployment,
            d ->
                DistributionSummary.builder("sluice.router.batch.size")
                    .tag("deployment", d)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(size);
    waits
        .computeIfAbsent(
            deployment,
            d ->
                Timer.builder("sluice.router.batch.first.wait")
                    .tag("deployment", d)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(Duration.ofMillis(Math.max(0, firstWaitMs)));
  }

  public void expired(String app, String stage) {
    counter("sluice.router.expired", "app", app, "stage", stage).increment();
  }

  public void deadLetter(String code) {
    counter("sluice.router.dead.letters", "code", code).increment();
  }

  public void routeRejected(String app) {
    counter("sluice.router.routes.rejected", "app", app == null ? "" : app).increment();
  }
}
