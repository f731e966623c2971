package io.sluice.functions.internal.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The worker's meters, tagged by deployment and worker instance (so several workers can share a
 * registry in one JVM, as in the dev stack). Prometheus names: {@code
 * sluice_worker_processing_latency_seconds}, {@code sluice_worker_queue_latency_seconds}, {@code
 * sluice_worker_batch_size}, {@code sluice_worker_errors_total{code,exception}}, {@code
 * sluice_worker_inflight_batches}, {@code sluice_worker_inflight_requests}, {@code
 * sluice_worker_retries_total}, {@code sluice_worker_dead_letters_total}, {@code
 * sluice_worker_replies_total{status}}, and the process meters of {@link #lifecycle}: {@code
 * sluice_worker_up}, {@code sluice_worker_start_time_seconds}, {@code sluice_worker_starts_total}.
 *
 * <p>Each worker process has its own registry in a cluster, so {@code sum by (deployment)
 * (sluice_worker_up)} is a deployment's healthy replicas wherever Prometheus scrapes the pods, not
 * only in the dev stack. Where replicas share a registry (the dev stack) {@link #close} removes a
 * stopped replica's meters: a gauge left behind would read NaN once its worker is collected.
 */
public final class WorkerMetrics {
  private final MeterRegistry registry;
  private final String deployment;
  private final String worker;
  private final Timer processing;
  private final Timer queue;
  private final DistributionSummary batchSize;
  private final Counter retries;
  private final Counter deadLetters;
  private final Counter repliesOk;
  private final Counter repliesError;
  private final AtomicInteger inflight = new AtomicInteger();
  private final AtomicInteger inflightRequests = new AtomicInteger();

  public WorkerMetrics(MeterRegistry registry, String deployment, String worker) {
    this.registry = registry;
    this.deployment = deployment;
    this.worker = worker;
    this.processing =
        Timer.builder("sluice.worker.processing.latency")
            .description("Time the function took on a batch, retries included.")
            .tags("deployment", deployment, "worker", worker)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(registry);
    this.queue =
        Timer.builder("sluice.worker.queue.latency")
            .description("Time from the router's flush to the worker starting the batch.")
            .tags("deployment", deployment, "worker", worker)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
    this.batchSize =
        DistributionSummary.builder("sluice.worker.batch.size")
            .description("Requests per batch.")
            .tags("deployment", deployment, "worker", worker)
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
            .register(registry);
    this.retries =
        Counter.builder("sluice.worker.retries")
            .description("Item retries after retriable failures.")
            .tags("deployment", deployment, "worker", worker)
            .register(registry);
    this.deadLetters =
        Counter.builder("sluice.worker.dead.letters")
            .description("Dead letters written.")
            .tags("deployment", deployment, "worker", worker)
            .register(registry);
    this.repliesOk = replies("OK");
    this.repliesError = replies("ERROR");
    Gauge.builder("sluice.worker.inflight.batches", inflight, AtomicInteger::get)
        .description("Batches being processed now.")
        .tags("deployment", deployment, "worker", worker)
        // Held strongly: close() removes it; a weak reference read NaN once the metrics object
        // was collected, which a scrape must never show.
        .strongReference(true)
        .register(registry);
    Gauge.builder("sluice.worker.inflight.requests", inflightRequests, AtomicInteger::get)
        .description(
            "What the batches being processed count against the worker's limit: their requests"
                + " (maxOngoingRequests), or one each when the worker counts batches.")
        .tags("deployment", deployment, "worker", worker)
        .strongReference(true)
        .register(registry);
  }

  private Counter replies(String status) {
    return Counter.builder("sluice.worker.replies")
        .description("Replies written, by status.")
        .tags("deployment", deployment, "worker", worker, "status", status)
        .register(registry);
  }

  public void processing(long nanos) {
    processing.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void queue(long millis) {
    if (millis >= 0) {
      queue.record(millis, TimeUnit.MILLISECONDS);
    }
  }

  public void batchSize(int size) {
    batchSize.record(size);
  }

  public void error(String code, Throwable error) {
    Counter.builder("sluice.worker.errors")
        .description("Items that failed, by error code and exception class.")
        .tags(
            "deployment",
            deployment,
            "worker",
            worker,
            "code",
            code,
            "exception",
            error == null ? "none" : error.getClass().getSimpleName())
        .register(registry)
        .increment();
  }

  public void retry(int items) {
    retries.increment(items);
  }

  public void deadLetter() {
    deadLetters.increment();
  }

  public void reply(boolean ok) {
    (ok ? repliesOk : repliesError).increment();
  }

  public AtomicInteger inflight() {
    return inflight;
  }

  /** The running batches' count against the worker's concurrency limit ({@link Concurrency}). */
  public AtomicInteger inflightRequests() {
    return inflightRequests;
  }

  /**
   * Registers the replica meters of a started worker: {@code sluice_worker_up} (1 while {@code
   * ready} says so, else 0), {@code sluice_worker_start_time_seconds} (epoch seconds), and counts
   * one in {@code sluice_worker_starts_total{deployment}} (no worker tag: a stopped replica's
   * starts stay counted where replicas share a registry).
   */
  public void lifecycle(BooleanSupplier ready, long startEpochMillis) {
    Gauge.builder("sluice.worker.up", ready, WorkerMetrics::oneIfReady)
        .description("1 while this worker is ready (joined its group, function up), else 0.")
        .tags("deployment", deployment, "worker", worker)
        .strongReference(true)
        .register(registry);
    Gauge.builder("sluice.worker.start.time", () -> startEpochMillis / 1000.0)
        .description("When this worker started, in seconds since the epoch.")
        .baseUnit("seconds")
        .tags("deployment", deployment, "worker", worker)
        .strongReference(true)
        .register(registry);
    Counter.builder("sluice.worker.starts")
        .description("Worker replicas started (Ray Serve's replica_starts).")
        .tags("deployment", deployment)
        .register(registry)
        .increment();
  }

  private static double oneIfReady(BooleanSupplier ready) {
    try {
      return ready.getAsBoolean() ? 1 : 0;
    } catch (RuntimeException e) {
      return 0; // a health check that throws is down, as /readyz answers
    }
  }

  /**
   * Removes every meter of this worker (those tagged with its id) from the registry; the starts
   * counter, which has no worker tag, stays.
   */
  public void close() {
    List<Meter> mine =
        registry.getMeters().stream()
            .filter(m -> m.getId().getName().startsWith("sluice.worker."))
            .filter(m -> worker.equals(m.getId().getTag("worker")))
            .filter(m -> deployment.equals(m.getId().getTag("deployment")))
            .toList();
    mine.forEach(registry::remove);
  }
}
