package io.sluice.loadtest.generator;

import io.sluice.avro.Priority;
import io.sluice.loadtest.report.Percentiles;
import io.sluice.loadtest.report.Summary;
import io.sluice.loadtest.report.TimelinePoint;
import io.sluice.loadtest.report.VariantStats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts and latencies of one run. Replies arrive on any thread; sends and samples happen on the
 * generator's thread. Latencies are recorded in microseconds, from the request's INTENDED send
 * time.
 */
final class LoadStats {
  private static final String TIMEOUT = "timeout";

  private final long lateThresholdNanos;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Measured window (warm-up excluded).
  private long sent;
  private long lateSends;
  private final Histogram sendDelay = new Histogram(3);
  private final LongAdder ok = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
  private final ConcurrentHistogram latency = new ConcurrentHistogram(3);
  private final ConcurrentHistogram serviceTime = new ConcurrentHistogram(3);
  private final Map<Priority, ConcurrentHistogram> byPriority = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> variantReplies = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHistogram> variantLatency =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> firstVariantOfKey = new ConcurrentHashMap<>();
  private final Map<String, Boolean> stickyViolations = new ConcurrentHashMap<>();
  // OK replies' time per stage of the path (StageTimes), by stage name, in path order.
  private final Map<String, ConcurrentHistogram> stages =
      java.util.Collections.synchronizedMap(new LinkedHashMap<>());

  // Micro-batches seen in replies: deployment -> batch -> replies of this run in it.
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder>> batches =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder>> intervalBatches =
      new ConcurrentHashMap<>();

  // The current timeline interval (warm-up included).
  private final Recorder intervalLatency = new Recorder(3);
  private long intervalSent;
  private final LongAdder intervalOk = new LongAdder();
  private final LongAdder intervalErrors = new LongAdder();
  private Histogram recycled;

  // Progress totals (warm-up included).
  private long totalSent;
  private final LongAdder totalOk = new LongAdder();
  private final LongAdder totalErrors = new LongAdder();

  LoadStats(long lateThresholdNanos) {
    this.lateThresholdNanos = lateThresholdNanos;
    for (Priority p : Priority.values()) {
      byPriority.put(p, new ConcurrentHistogram(3));
    }
  }

  /** On the generator thread, when a request leaves. */
  void sent(LoadRequest r, long sendNanos) {
    intervalSent++;
    totalSent++;
    if (r.warmup()) {
      return;
    }
    sent++;
    long delay = Math.max(0, sendNanos - r.intendedNanos());
    sendDelay.recordValue(micros(delay));
    if (delay > lateThresholdNanos) {
      lateSends++;
    }
  }

  /** On any thread, when a reply (or failure) arrives. */
  void completed(LoadRequest r, long sendNanos, Reply reply, Throwable error, long nowNanos) {
    if (closed.get()) {
      return;
    }
    boolean success = error == null && reply != null && reply.ok();
    long fromIntended = micros(nowNanos - r.intendedNanos());
    if (success) {
      intervalOk.increment();
      totalOk.increment();
      intervalLatency.recordValue(fromIntended);
    } else {
      intervalErrors.increment();
      totalErrors.increment();
    }
    if (reply != null && reply.batch() != null && reply.deployment() != null) {
      countBatch(intervalBatches, reply);
      if (!r.warmup()) {
        countBatch(batches, reply);
      }
    }
    if (r.warmup()) {
      return;
    }
    if (success) {
      ok.increment();
      latency.recordValue(fromIntended);
      serviceTime.recordValue(micros(nowNanos - sendNanos));
      byPriority.get(r.priority()).recordValue(fromIntended);
      if (reply.stages() != null) {
        reply
            .stages()
            .durationsMs()
            .forEach(
                (stage, ms) ->
                    stages
                        .computeIfAbsent(stage, k -> new ConcurrentHistogram(3))
                        .recordValue(Math.max(0, ms) * 1000));
      }
    } else {
      errorCodes.computeIfAbsent(errorCode(reply, error), k -> new LongAdder()).increment();
    }
    String variant = reply == null ? null : reply.variant();
    if (variant != null) {
      variantReplies.computeIfAbsent(variant, k -> new LongAdder()).increment();
      if (success) {
        variantLatency
            .computeIfAbsent(variant, k -> new ConcurrentHistogram(3))
            .recordValue(fromIntended);
      }
      if (r.key() != null) {
        String first = firstVariantOfKey.putIfAbsent(r.key(), variant);
        if (first != null && !first.equals(variant)) {
          stickyViolations.put(r.key(), Boolean.TRUE);
        }
      }
    }
  }

  private static void countBatch(
      ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder>> into, Reply reply) {
    into.computeIfAbsent(reply.deployment(), k -> new ConcurrentHashMap<>())
        .computeIfAbsent(reply.batch(), k -> new LongAdder())
        .increment();
  }

  /** Mean replies per batch, per deployment. */
  private static Map<String, Double> meanBatchSizes(
      ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder>> from) {
    Map<String, Double> out = new TreeMap<>();
    from.forEach(
        (d, m) -> out.put(d, m.values().stream().mapToLong(LongAdder::sum).average().orElse(0)));
    return out;
  }

  private static String errorCode(Reply reply, Throwable error) {
    Throwable e = error;
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof java.util.concurrent.TimeoutException) {
      return TIMEOUT;
    }
    if (e != null) {
      return "send_failed:" + e.getClass().getSimpleName();
    }
    return reply == null || reply.errorCode() == null ? "unknown" : reply.errorCode();
  }

  private static long micros(long nanos) {
    return Math.max(1, nanos / 1000);
  }

  /** On the generator thread: closes the current interval. */
  TimelinePoint sample(
      double t,
      String phase,
      boolean warmup,
      long backlog,
      long inFlight,
      Map<String, Double> gauges) {
    Map<String, Double> allGauges = new TreeMap<>(gauges);
    meanBatchSizes(intervalBatches).forEach((d, v) -> allGauges.put("batch." + d, v));
    intervalBatches.clear();
    Histogram h = intervalLatency.getIntervalHistogram(recycled);
    recycled = h;
    TimelinePoint p =
        new TimelinePoint(
            t,
            phase,
            warmup,
            intervalSent,
            intervalOk.sumThenReset(),
            intervalErrors.sumThenReset(),
            h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0,
            h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0,
            h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0,
            backlog,
            inFlight,
            allGauges);
    intervalSent = 0;
    return p;
  }

  long totalSent() {
    return totalSent;
  }

  long totalOk() {
    return totalOk.sum();
  }

  long totalErrors() {
    return totalErrors.sum();
  }

  /** Counts a request that never got a reply by the end of the run. */
  void noReply(LoadRequest r) {
    if (!r.warmup()) {
      errorCodes.computeIfAbsent(TIMEOUT, k -> new LongAdder()).increment();
    }
  }

  /** Stops counting (replies after the end are ignored) and summarises the measured window. */
  Summary close(
      double measuredSeconds,
      long scheduled,
      long unsent,
      double intendedRate,
      long maxBacklog,
      long maxInFlight) {
    closed.set(true);
    long errors = errorCodes.values().stream().mapToLong(LongAdder::sum).sum();
    Map<String, Long> codes = new TreeMap<>();
    errorCodes.forEach((k, v) -> codes.put(k, v.sum()));
    Map<String, Percentiles> priorities = new LinkedHashMap<>();
    byPriority.forEach(
        (p, h) -> {
          if (h.getTotalCount() > 0) {
            priorities.put(p.name(), Percentiles.ofMicros(h));
          }
        });
    long variantTotal = variantReplies.values().stream().mapToLong(LongAdder::sum).sum();
    Map<String, VariantStats> variants = new TreeMap<>();
    variantReplies.forEach(
        (v, n) ->
            variants.put(
                v,
                new VariantStats(
                    n.sum(),
                    variantTotal == 0 ? 0 : (double) n.sum() / variantTotal,
                    Percentiles.ofMicros(variantLatency.get(v)))));
    Map<String, Percentiles> stageTimes = new LinkedHashMap<>();
    synchronized (stages) {
      stages.forEach((k, h) -> stageTimes.put(k, Percentiles.ofMicros(h)));
    }
    double secs = measuredSeconds <= 0 ? 1 : measuredSeconds;
    long okCount = ok.sum();
    return new Summary(
        measuredSeconds,
        scheduled,
        sent,
        okCount,
        errors,
        codes,
        unsent,
        intendedRate,
        sent / secs,
        okCount / secs,
        Percentiles.ofMicros(latency),
        Percentiles.ofMicros(serviceTime),
        Percentiles.ofMicros(sendDelay),
        priorities,
        variants,
        firstVariantOfKey.size(),
        stickyViolations.size(),
        maxBacklog,
        lateSends,
        maxInFlight,
        meanBatchSizes(batches),
        stageTimes);
  }
}
