package io.sluice.loadtest.generator;

import java.time.Duration;
import java.util.List;

/**
 * Everything that shapes one open-loop run; recorded verbatim with its results.
 *
 * @param app the app called
 * @param phases the arrival-rate profile (one phase for steady load)
 * @param warmup the first part of the run, whose requests are sent but left out of the results
 * @param payloadBytes size of each request's text payload in bytes
 * @param keys key distribution spec, see {@link KeyDistribution#parse(String)}
 * @param concurrencyLimit most requests in flight; arrivals beyond it wait in a backlog and are
 *     sent late, their latency still counted from the intended send time
 * @param bulkFraction share of requests sent with BULK priority (0..1)
 * @param inputKind chat, prompt or JSON input
 * @param requestTimeout a request without a reply after this is counted as a timeout
 * @param drainTimeout how long to wait for outstanding replies after the last arrival
 * @param lateThreshold a send later than this after its intended time counts as a late send
 * @param seed seed of the key and priority choices, so a run can be repeated
 * @param sampleInterval timeline resolution
 */
public record GeneratorSettings(
    String app,
    List<RatePhase> phases,
    Duration warmup,
    int payloadBytes,
    String keys,
    int concurrencyLimit,
    double bulkFraction,
    InputKind inputKind,
    Duration requestTimeout,
    Duration drainTimeout,
    Duration lateThreshold,
    long seed,
    Duration sampleInterval) {

  public GeneratorSettings {
    phases = List.copyOf(phases);
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("at least one rate phase is required");
    }
    if (payloadBytes < 0) {
      throw new IllegalArgumentException("--payload-bytes must be >= 0, got " + payloadBytes);
    }
    if (concurrencyLimit < 1) {
      throw new IllegalArgumentException("--concurrency must be >= 1, got " + concurrencyLimit);
    }
    if (!(bulkFraction >= 0 && bulkFraction <= 1)) {
      throw new IllegalArgumentException("--bulk-fraction must be in [0, 1], got " + bulkFraction);
    }
    KeyDistribution.parse(keys);
    if (sampleInterval.isZero() || sampleInterval.isNegative()) {
      throw new IllegalArgumentException("sample interval must be > 0");
    }
  }

  /** Steady load: one phase at {@code rate} for {@code warmup + duration}, with defaults. */
  public static GeneratorSettings steady(
      String app, double rate, Duration duration, Duration warmup) {
    return new GeneratorSettings(
        app,
        List.of(new RatePhase("steady", warmup.plus(duration), rate)),
        warmup,
        256,
        "uniform:1000",
        1000,
        0,
        InputKind.defaultFor(app),
        Duration.ofSeconds(30),
        Duration.ofSeconds(31),
        Duration.ofMillis(10),
        42,
        Duration.ofSeconds(1));
  }

  public GeneratorSettings withPhases(List<RatePhase> p) {
    return new GeneratorSettings(
        app,
        p,
        warmup,
        payloadBytes,
        keys,
        concurrencyLimit,
        bulkFraction,
        inputKind,
        requestTimeout,
        drainTimeout,
        lateThreshold,
        seed,
        sampleInterval);
  }

  public GeneratorSettings withPayloadBytes(int bytes) {
    return new GeneratorSettings(
        app,
        phases,
        warmup,
        bytes,
        keys,
        concurrencyLimit,
        bulkFraction,
        inputKind,
        requestTimeout,
        drainTimeout,
        lateThreshold,
        seed,
        sampleInterval);
  }

  public GeneratorSettings withKeys(String k) {
    return new GeneratorSettings(
        app,
        phases,
        warmup,
        payloadBytes,
        k,
        concurrencyLimit,
        bulkFraction,
        inputKind,
        requestTimeout,
        drainTimeout,
        lateThreshold,
        seed,
        sampleInterval);
  }

  public GeneratorSettings withConcurrencyLimit(int limit) {
    return new GeneratorSettings(
        app,
        phases,
        warmup,
        payloadBytes,
        keys,
        limit,
        bulkFraction,
        inputKind,
        requestTimeout,
        drainTimeout,
        lateThreshold,
        seed,
        sampleInterval);
  }

  public GeneratorSettings withBulkFraction(double f) {
    return new GeneratorSettings(
        app,
        phases,
        warmup,
        payloadBytes,
        keys,
        concurrencyLimit,
        f,
        inputKind,
        requestTimeout,
        drainTimeout,
        lateThreshold,
        seed,
        sampleInterval);
  }

  public GeneratorSettings withInputKind(InputKind kind) {
    return new GeneratorSettings(
        app,
        phases,
        warmup,
        payloadBytes,
        keys,
        concurrencyLimit,
        bulkFraction,
        kind,
        requestTimeout,
        drainTimeout,
        lateThreshold,
        seed,
        sampleInterval);
  }

  public GeneratorSettings withTimeouts(Duration request, Duration drain) {
    return new GeneratorSettings(
        app,
        phases,
        warmup,
        payloadBytes,
        keys,
        concurrencyLimit,
        bulkFraction,
        inputKind,
        request,
        drain,
        lateThreshold,
        seed,
        sampleInterval);
  }

  /** Total length of the schedule, warm-up included. */
  public Duration totalDuration() {
    return phases.stream().map(RatePhase::duration).reduce(Duration.ZERO, Duration::plus);
  }
}
