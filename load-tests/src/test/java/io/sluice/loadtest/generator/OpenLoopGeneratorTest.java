package io.sluice.loadtest.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.loadtest.report.Summary;
import io.sluice.loadtest.report.TimelinePoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenLoopGeneratorTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  private static GeneratorSettings steady(double rate, int seconds, int warmupSeconds) {
    return GeneratorSettings.steady(
            "sentiment", rate, Duration.ofSeconds(seconds), Duration.ofSeconds(warmupSeconds))
        .withTimeouts(Duration.ofHours(1), Duration.ofSeconds(30));
  }

  private static RunOutput run(GeneratorSettings s, FakeClock clock, Target target) {
    return new OpenLoopGenerator(s, target, clock, Gauges.NONE, Progress.NONE).run();
  }

  @Test
  void holdsTheRateAgainstAFastTarget() {
    FakeClock clock = new FakeClock();
    ScriptedTarget target = new ScriptedTarget(clock, t -> t + 2 * MS);

    Summary s = run(steady(500, 10, 2), clock, target).summary();

    assertThat(s.scheduled()).isEqualTo(5000);
    assertThat(s.sent()).isEqualTo(5000);
    assertThat(s.ok()).isEqualTo(5000);
    assertThat(s.sendRate()).isCloseTo(500, within(500 * 0.02));
    assertThat(s.throughput()).isCloseTo(500, within(500 * 0.02));
    assertThat(s.latency().p99()).isCloseTo(2.0, within(0.01));
    assertThat(s.maxBacklog()).isLessThanOrEqualTo(1);
    assertThat(s.lateSends()).isZero();
    // Sends happen exactly at the intended times: start + k * 2 ms.
    long first = target.sendTimes.get(0);
    for (int k = 0; k < target.sendTimes.size(); k++) {
      assertThat(target.sendTimes.get(k) - first).isEqualTo(k * 2L * MS);
    }
  }

  @Test
  void holdsTheRateWhenTheThreadOversleeps() {
    // Every park overshoots by 7 ms, as on a loaded 2-core box: due arrivals go out together.
    FakeClock clock = new FakeClock().oversleeping(7 * MS);
    ScriptedTarget target = ScriptedTarget.instant(clock);

    Summary s = run(steady(1000, 10, 0), clock, target).summary();

    assertThat(s.sent()).isEqualTo(10_000);
    assertThat(s.sendRate()).isCloseTo(1000, within(1000 * 0.02));
    // The lateness is visible in the send delay and in the latency, not hidden.
    assertThat(s.sendDelay().max()).isGreaterThanOrEqualTo(6.9);
    assertThat(s.latency().max()).isGreaterThanOrEqualTo(6.9);
    assertThat(s.serviceTime().max()).isLessThan(0.01);
  }

  @Test
  void aStalledTargetShowsTheStallInTheLatencies() {
    // The target answers in 1 ms, except that everything sent between t=3s and t=4s is held
    // until t=4s (a GC pause, a rebalance). Rate 100/s, concurrency 1000: no backlog.
    FakeClock clock = new FakeClock();
    long t0 = clock.nanoTime();
    ScriptedTarget target =
        new ScriptedTarget(
            clock,
            sendAt -> sendAt - t0 >= 3 * S && sendAt - t0 < 4 * S ? t0 + 4 * S : sendAt + 1 * MS);

    RunOutput out = run(steady(100, 10, 0), clock, target);
    Summary s = out.summary();

    assertThat(s.ok()).isEqualTo(1000);
    // 100 of 1000 requests (10%) were caught by the stall: p90 is still fast, p99 is not.
    assertThat(s.latency().p50()).isCloseTo(1.0, within(0.01));
    assertThat(s.latency().p99()).isGreaterThan(800);
    assertThat(s.latency().max()).isCloseTo(1000, within(1.0));
    TimelinePoint stalled = out.timeline().get(3); // the interval (3s, 4s]
    assertThat(stalled.t()).isEqualTo(4.0);
    assertThat(stalled.max()).isGreaterThan(990);
  }

  @Test
  void theConcurrencyCapTurnsAStallIntoACountedBacklog() {
    // Same stall, but only 10 requests may be in flight: the generator must not quietly send
    // fewer requests; it queues them, sends them late, and still measures from intended time.
    FakeClock clock = new FakeClock();
    long t0 = clock.nanoTime();
    ScriptedTarget target =
        new ScriptedTarget(
            clock,
            sendAt -> sendAt - t0 >= 3 * S && sendAt - t0 < 4 * S ? t0 + 4 * S : sendAt + 1 * MS);
    GeneratorSettings settings = steady(100, 10, 0).withConcurrencyLimit(10);

    RunOutput out = run(settings, clock, target);
    Summary s = out.summary();

    assertThat(s.sent()).isEqualTo(1000);
    assertThat(s.ok()).isEqualTo(1000);
    assertThat(s.unsent()).isZero();
    // 10 sent into the stall, then ~90 more arrivals wait for a slot.
    assertThat(s.maxBacklog()).isBetween(85L, 91L);
    assertThat(s.maxInFlight()).isEqualTo(10);
    assertThat(s.lateSends()).isGreaterThanOrEqualTo(85);
    assertThat(s.sendDelay().max()).isGreaterThan(800);
    // Latency from intended time includes the wait in the backlog; the service time does not.
    assertThat(s.latency().p99()).isGreaterThan(800);
    assertThat(s.serviceTime().p99()).isLessThan(2);
    assertThat(out.timeline().stream().mapToLong(TimelinePoint::backlog).max().orElse(0))
        .isGreaterThan(80);
  }

  @Test
  void arrivalsStillInTheBacklogWhenTheRunEndsAreReportedAsUnsent() {
    // A target that never answers, with a concurrency limit of 5: the rest can never be sent.
    FakeClock clock = new FakeClock();
    ScriptedTarget target = new ScriptedTarget(clock, t -> Long.MAX_VALUE);
    GeneratorSettings settings =
        steady(10, 5, 0)
            .withConcurrencyLimit(5)
            .withTimeouts(Duration.ofHours(1), Duration.ofSeconds(2));

    Summary s = run(settings, clock, target).summary();

    assertThat(s.scheduled()).isEqualTo(50);
    assertThat(s.sent()).isEqualTo(5);
    assertThat(s.unsent()).isEqualTo(45);
    assertThat(s.ok()).isZero();
    assertThat(s.errorCodes()).containsEntry("timeout", 5L);
    assertThat(s.maxBacklog()).isEqualTo(45);
  }

  @Test
  void warmupRequestsAreSentButNotMeasured() {
    FakeClock clock = new FakeClock();
    ScriptedTarget target = new ScriptedTarget(clock, t -> t + MS);

    RunOutput out = run(steady(100, 4, 2), clock, target);

    assertThat(target.sendTimes).hasSize(600);
    assertThat(out.summary().sent()).isEqualTo(400);
    assertThat(out.summary().measuredSeconds()).isEqualTo(4.0);
    assertThat(out.timeline()).hasSize(6);
    assertThat(out.timeline().get(0).warmup()).isTrue();
    assertThat(out.timeline().get(2).warmup()).isFalse();
    assertThat(out.timeline().stream().mapToLong(TimelinePoint::sent).sum()).isEqualTo(600);
  }

  @Test
  void phasesChangeTheRateAndAreLabelledInTheTimeline() {
    FakeClock clock = new FakeClock();
    ScriptedTarget target = new ScriptedTarget(clock, t -> t + MS);
    GeneratorSettings settings =
        steady(1, 1, 0)
            .withPhases(
                List.of(
                    new RatePhase("base", Duration.ofSeconds(2), 10),
                    new RatePhase("burst", Duration.ofSeconds(1), 200),
                    new RatePhase("cool-down", Duration.ofSeconds(2), 10)));

    RunOutput out = run(settings, clock, target);

    assertThat(out.summary().sent()).isEqualTo(20 + 200 + 20);
    assertThat(out.timeline())
        .extracting(TimelinePoint::phase)
        .containsExactly("base", "base", "burst", "cool-down", "cool-down");
    assertThat(out.timeline().get(2).sent()).isEqualTo(200);
  }

  @Test
  void variantsAndStickinessAreCountedFromReplies() {
    FakeClock clock = new FakeClock();
    ScriptedTarget target = new ScriptedTarget(clock, t -> t + MS, "v-");
    GeneratorSettings settings = steady(100, 5, 0).withKeys("fixed:20");

    Summary s = run(settings, clock, target).summary();

    assertThat(s.byVariant()).containsOnlyKeys("v-a", "v-b");
    assertThat(s.byVariant().values().stream().mapToLong(v -> v.replies()).sum()).isEqualTo(500);
    assertThat(s.stickyKeys()).isEqualTo(20);
    assertThat(s.stickyViolations()).isZero();
  }

  @Test
  void priorityMixFollowsTheBulkFraction() {
    FakeClock clock = new FakeClock();
    ScriptedTarget target = new ScriptedTarget(clock, t -> t + MS);

    Summary s = run(steady(200, 10, 0).withBulkFraction(0.25), clock, target).summary();

    long bulk = target.requests.stream().filter(r -> r.priority().name().equals("BULK")).count();
    assertThat(bulk).isBetween(450L, 550L);
    assertThat(s.byPriority()).containsOnlyKeys("INTERACTIVE", "BULK");
    assertThat(s.byPriority().get("BULK").count()).isEqualTo(bulk);
  }

  @Test
  void batchSizesAreObservedFromRepliesThatShareABatch() {
    FakeClock clock = new FakeClock();
    ScriptedTarget target =
        new ScriptedTarget(clock, t -> t + MS)
            .replying(r -> Reply.ok(null, "dep").withBatch("dep@" + (r.seq() / 4)));

    RunOutput out = run(steady(100, 4, 0), clock, target);

    assertThat(out.summary().observedBatchSize()).containsEntry("dep", 4.0);
    assertThat(out.timeline().get(1).gauges()).containsEntry("batch.dep", 4.0);
  }

  @Test
  void stageTimesFromRepliesAreSummarisedPerStage() {
    FakeClock clock = new FakeClock();
    // Odd requests waited 40 ms for a slot, even ones 0; each stage otherwise takes fixed times.
    ScriptedTarget target =
        new ScriptedTarget(clock, t -> t + MS)
            .replying(
                r ->
                    Reply.ok(null, "dep")
                        .withStages(
                            new StageTimes(
                                1000L,
                                1002L,
                                1007L,
                                1007L + (r.seq() % 2 == 1 ? 40 : 0),
                                1200L,
                                1203L)));

    Summary s = run(steady(100, 4, 0), clock, target).summary();

    assertThat(s.stages())
        .containsOnlyKeys(
            "created_to_routed",
            "routed_to_flushed",
            "flushed_to_started",
            "started_to_finished",
            "finished_to_received");
    assertThat(s.stages().get("created_to_routed").p50()).isCloseTo(2.0, within(0.01));
    assertThat(s.stages().get("routed_to_flushed").p99()).isCloseTo(5.0, within(0.01));
    assertThat(s.stages().get("flushed_to_started").p50()).isEqualTo(0.0);
    assertThat(s.stages().get("flushed_to_started").p99()).isCloseTo(40.0, within(0.1));
    assertThat(s.stages().get("finished_to_received").count()).isEqualTo(400);
    // A stage with an unreported end is left out rather than counted as zero.
    assertThat(new StageTimes(1L, null, 3L, 4L, 5L, 6L).durationsMs())
        .containsOnlyKeys("flushed_to_started", "started_to_finished", "finished_to_received");
  }
}
