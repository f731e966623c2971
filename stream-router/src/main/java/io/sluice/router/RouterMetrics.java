package io.sluice.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
 *   <li>{@code sluice_router_pipeline_requests_total{app,pipeline,outcome}} pipeline runs ended
 *       (outcome = ok or the error code)
 *   <li>{@code sluice_router_pipeline_latency_seconds{app,pipeline}} start to answer of a run
 *   <li>{@code sluice_router_pipeline_steps_total{pipeline,step,outcome,code}} steps ended (ok,
 *       defaulted, skipped, skipped_on_failure, failed; code = the error code of a failed step)
 *   <li>{@code sluice_router_pipeline_step_latency_seconds{pipeline,step}} step request sent to its
 *       reply read
 *   <li>{@code sluice_router_pipeline_stale_replies_total{reason}} step replies or starts ignored
 *       (late: the run had ended; duplicate: already answered)
 *   <li>{@code sluice_router_pipeline_runs{task}} run states held (in flight, plus the short-lived
 *       markers of finished runs)
 * </ul>
 */
public final class RouterMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> sizes = new ConcurrentHashMap<>();
  private final Map<String, Timer> waits = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Counter>> routed = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> runsByTask = new ConcurrentHashMap<>();

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

  /** A pipeline run ended: outcome is {@code ok} or its error code. */
  public void pipelineEnded(String app, String pipeline, String outcome, long latencyMs) {
    counter("sluice.router.pipeline.requests", "app", app, "pipeline", pipeline, "outcome", outcome)
        .increment();
    timer("sluice.router.pipeline.latency", "app", app, "pipeline", pipeline)
        .record(Duration.ofMillis(Math.max(0, latencyMs)));
  }

  /**
   * A step ended; {@code code} is its error code ("" unless it failed), {@code latencyMs} is from
   * sending it to reading its reply, or negative.
   */
  public void pipelineStep(
      String pipeline, String step, String outcome, String code, long latencyMs) {
    counter(
            "sluice.router.pipeline.steps",
            "pipeline",
            pipeline,
            "step",
            step,
            "outcome",
            outcome,
            "code",
            code == null ? "" : code)
        .increment();
    if (latencyMs >= 0) {
      timer("sluice.router.pipeline.step.latency", "pipeline", pipeline, "step", step)
          .record(Duration.ofMillis(latencyMs));
    }
  }

  /** The number of run states a task holds, set by its stream thread, read by the gauge. */
  public AtomicLong pipelineRuns(String task) {
    return runsByTask.computeIfAbsent(
        task,
        t -> {
          AtomicLong v = new AtomicLong();
          Gauge.builder("sluice.router.pipeline.runs", v, AtomicLong::get)
              .tag("task", t)
              .register(registry);
          return v;
        });
  }

  /** The task moved away: its gauge goes. */
  public void removePipelineRuns(String task) {
    if (runsByTask.remove(task) != null) {
      registry
          .find("sluice.router.pipeline.runs")
          .tag("task", task)
          .meters()
          .forEach(registry::remove);
    }
  }

  public void pipelineStale(String reason) {
    counter("sluice.router.pipeline.stale.replies", "reason", reason).increment();
  }

  private Timer timer(String name, String... tags) {
    String id = name + '|' + String.join("|", tags);
    return waits.computeIfAbsent(
        id, k -> Timer.builder(name).tags(tags).publishPercentileHistogram().register(registry));
  }

  public void routeRejected(String app) {
    counter("sluice.router.routes.rejected", "app", app == null ? "" : app).increment();
  }
}
