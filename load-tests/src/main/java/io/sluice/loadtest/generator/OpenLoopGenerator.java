package io.sluice.loadtest.generator;

import io.sluice.loadtest.report.TimelinePoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open-loop load generator: request {@code k} is due at a time fixed by the schedule, never
 * "when the previous one returned", so a slow system shows up as queueing in the latencies instead
 * of silently lowering the offered load.
 *
 * <ul>
 *   <li>Latency is measured from the INTENDED send time (coordinated omission corrected): if the
 *       generator or the system stalls, every request that should have been sent during the stall
 *       carries the stall in its latency.
 *   <li>At most {@code concurrencyLimit} requests are in flight. Arrivals beyond it wait in a
 *       backlog and are sent when a slot frees; they are counted (backlog depth, late sends, and
 *       {@code unsent} if the run ends first) rather than dropped or hidden.
 *   <li>If the thread oversleeps, every arrival that fell due meanwhile is sent at once, so the
 *       offered rate over the run is exact.
 * </ul>
 *
 * <p>One thread (the caller of {@link #run()}) sends; replies may complete on any thread.
 */
public final class OpenLoopGenerator {
  private final GeneratorSettings settings;
  private final Target target;
  private final NanoClock clock;
  private final Gauges gauges;
  private final Progress progress;
  private final String runId;

  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<Long, LoadRequest> outstanding = new ConcurrentHashMap<>();
  private volatile boolean wakeOnReply;
  private volatile Thread driver;

  public OpenLoopGenerator(
      GeneratorSettings settings,
      Target target,
      NanoClock clock,
      Gauges gauges,
      Progress progress) {
    this.settings = Objects.requireNonNull(settings);
    this.target = Objects.requireNonNull(target);
    this.clock = Objects.requireNonNull(clock);
    this.gauges = Objects.requireNonNull(gauges);
    this.progress = Objects.requireNonNull(progress);
    this.runId = "lt-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The prefix of every request id of this run. */
  public String runId() {
    return runId;
  }

  /** Runs the whole schedule, then waits up to the drain timeout for outstanding replies. */
  public RunOutput run() {
    driver = Thread.currentThread();
    ArrivalSchedule schedule = new ArrivalSchedule(settings.phases());
    RequestFactory factory = new RequestFactory(settings, runId);
    LoadStats stats = new LoadStats(settings.lateThreshold().toNanos());
    ArrayDeque<LoadRequest> backlog = new ArrayDeque<>();
    List<TimelinePoint> timeline = new ArrayList<>();

    long warmupNanos = settings.warmup().toNanos();
    long totalNanos = schedule.totalNanos();
    long intervalNanos = settings.sampleInterval().toNanos();
    int cap = settings.concurrencyLimit();

    long start = clock.nanoTime();
    long end = start + totalNanos;
    long drainDeadline = end + settings.drainTimeout().toNanos();
    long nextSample = start + intervalNanos;
    long seq = 0;
    long measuredScheduled = 0;
    long maxBacklog = 0;
    long maxInFlight = 0;

    while (true) {
      long now = clock.nanoTime();
      // Every arrival due by now joins the backlog, in order, whatever the thread's lateness.
      for (long offset = schedule.peek(); offset >= 0 && start + offset <= now; ) {
        boolean warmup = offset < warmupNanos;
        if (!warmup) {
          measuredScheduled++;
        }
        backlog.add(factory.create(seq++, start + offset, warmup));
        schedule.advance();
        offset = schedule.peek();
      }
      while (!backlog.isEmpty() && inFlight.get() < cap) {
        send(backlog.poll(), stats);
      }
      // What is left could not be sent on time for want of a concurrency slot.
      maxBacklog = Math.max(maxBacklog, backlog.size());
      maxInFlight = Math.max(maxInFlight, inFlight.get());
      now = clock.nanoTime();
      while (now >= nextSample) {
        timeline.add(sample(stats, nextSample - start, backlog.size()));
        nextSample += intervalNanos;
      }

      long nextOffset = schedule.peek();
      boolean scheduleDone = nextOffset < 0;
      if (scheduleDone && backlog.isEmpty() && inFlight.get() == 0) {
        break;
      }
      if (scheduleDone && now >= drainDeadline) {
        break;
      }
      long wake = nextSample;
      if (!scheduleDone) {
        wake = Math.min(wake, start + nextOffset);
      } else {
        wake = Math.min(wake, drainDeadline);
      }
      wakeOnReply = !backlog.isEmpty() || scheduleDone;
      if (wake > now) {
        clock.park(wake - now);
      }
      wakeOnReply = false;
    }

    long now = clock.nanoTime();
    if (now > nextSample - intervalNanos || timeline.isEmpty()) {
      timeline.add(sample(stats, now - start, backlog.size()));
    }
    long unsent = backlog.stream().filter(r -> !r.warmup()).count();
    outstanding.values().forEach(stats::noReply);
    double measuredSeconds = (totalNanos - warmupNanos) / 1e9;
    return new RunOutput(
        stats.close(
            measuredSeconds,
            measuredScheduled,
            unsent,
            measuredSeconds <= 0 ? 0 : measuredScheduled / measuredSeconds,
            maxBacklog,
            maxInFlight),
        List.copyOf(timeline));
  }

  @SuppressWarnings("FutureReturnValueIgnored") // false positive: whenComplete counts every outcome
  private void send(LoadRequest r, LoadStats stats) {
    long sendNanos = clock.nanoTime();
    inFlight.incrementAndGet();
    outstanding.put(r.seq(), r);
    stats.sent(r, sendNanos);
    CompletableFuture<Reply> f;
    try {
      f = target.send(r);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.orTimeout(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (reply, error) -> {
              if (outstanding.remove(r.seq()) == null) {
                return;
              }
              stats.completed(r, sendNanos, reply, error, clock.nanoTime());
              inFlight.decrementAndGet();
              Thread d = driver;
              if (wakeOnReply && d != null) {
                clock.unpark(d);
              }
            });
  }

  private TimelinePoint sample(LoadStats stats, long offsetNanos, int backlogSize) {
    String phase = phaseAt(offsetNanos - 1);
    TimelinePoint p =
        stats.sample(
            offsetNanos / 1e9,
            phase,
            offsetNanos <= settings.warmup().toNanos(),
            backlogSize,
            inFlight.get(),
            gauges.sample());
    progress.onSample(
        p,
        offsetNanos / 1e9,
        settings.totalDuration().toNanos() / 1e9,
        stats.totalSent(),
        stats.totalOk(),
        stats.totalErrors());
    return p;
  }

  private String phaseAt(long offsetNanos) {
    long t = 0;
    for (RatePhase p : settings.phases()) {
      t += p.duration().toNanos();
      if (offsetNanos < t) {
        return p.label();
      }
    }
    return "drain";
  }
}
