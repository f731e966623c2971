package io.sluice.loadtest.faults;

import io.sluice.bridge.BridgeConfig;
import io.sluice.functions.worker.WorkerConfig;
import io.sluice.manifest.WorkerSettings;
import io.sluice.router.RouterConfig;
import io.sluice.testkit.FreePorts;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The fault suite: router, worker and bridge replicas as separate JVMs (the main classes behind
 * {@code sluice router}, {@code sluice worker --deployment ...} and {@code sluice bridge}) around a
 * broker, registry and vLLM simulator that are never killed; a tracked open-loop load through both
 * entry paths; and, in turn, a SIGKILL of one replica of each kind asked for, restarted {@code
 * restartAfter} later with the same arguments (its static instance id included), as a Deployment
 * restarts a pod. See {@link Recovery} for when latency counts as normal again.
 */
public final class FaultSuite {
  static final String CHAT = "chat";
  static final String SENTIMENT = "sentiment";
  static final String REPLY_TOPIC = "sluice.faults.replies";

  /**
   * What a run does.
   *
   * @param rate requests per second, both paths and both apps together
   * @param httpFraction share of requests sent through the bridges
   * @param routers router replicas
   * @param chatWorkers worker replicas of deployment {@code chat} (LLM on the simulator)
   * @param sentimentWorkers worker replicas of deployment {@code sentiment} (0: no sentiment app)
   * @param bridges bridge replicas (0: Kafka path only)
   * @param kills the kinds to kill, in order ({@code worker} kills a {@code chat} replica)
   * @param warmup load before the first kill's baseline starts
   * @param beforeKill load between one kill's observation and the next kill (its baseline)
   * @param restartAfter from the kill to the restart
   * @param observe from the kill to the next step
   * @param drain how long to wait for outstanding replies after the last send
   */
  public record Settings(
      double rate,
      double httpFraction,
      int routers,
      int chatWorkers,
      int sentimentWorkers,
      int bridges,
      List<Child.Kind> kills,
      Duration warmup,
      Duration beforeKill,
      Duration restartAfter,
      Duration observe,
      Duration drain) {
    public Settings {
      kills = List.copyOf(kills);
      if (routers < 1 || chatWorkers < 1) {
        throw new IllegalArgumentException("needs at least one router and one chat worker");
      }
      for (Child.Kind k : kills) {
        if (k == Child.Kind.BRIDGE && bridges == 0) {
          throw new IllegalArgumentException("a bridge kill needs --bridges >= 1");
        }
      }
    }

    /** The full suite: worker, router and bridge kills at 30 requests/s. */
    public static Settings full() {
      return new Settings(
          30,
          0.5,
          2,
          2,
          1,
          2,
          List.of(Child.Kind.WORKER, Child.Kind.ROUTER, Child.Kind.BRIDGE),
          Duration.ofSeconds(10),
          Duration.ofSeconds(12),
          Duration.ofSeconds(2),
          Duration.ofSeconds(25),
          Duration.ofSeconds(45));
    }
  }

  private final Settings settings;
  private final Path workDir;
  private final PrintStream out;

  public FaultSuite(Settings settings, Path workDir, PrintStream out) {
    this.settings = settings;
    this.workDir = workDir;
    this.out = out;
  }

  public FaultRun run() throws Exception {
    double loadBefore = loadAverage();
    Files.createDirectories(workDir);
    List<String> apps = new ArrayList<>(List.of(CHAT));
    if (settings.sentimentWorkers() > 0) {
      apps.add(SENTIMENT);
    }
    out.printf("faults: starting broker, registry and simulator in %s%n", workDir);
    try (Infra infra = Infra.start(workDir, apps, REPLY_TOPIC)) {
      List<Child> children = children(infra);
      try {
        long t0 = System.nanoTime();
        for (Child c : children) {
          c.start();
        }
        for (Child c : children) {
          c.awaitReady(Duration.ofMinutes(3));
        }
        out.printf(
            "faults: %d processes ready in %d ms (%s)%n",
            children.size(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
            String.join(", ", children.stream().map(c -> c.name).toList()));
        return runLoad(infra, children, apps, loadBefore);
      } finally {
        for (Child c : children) {
          c.close();
        }
      }
    }
  }

  private FaultRun runLoad(Infra infra, List<Child> children, List<String> apps, double loadBefore)
      throws Exception {
    List<String> bridgeUrls =
        children.stream()
            .filter(c -> c.kind == Child.Kind.BRIDGE)
            .map(c -> "http://localhost:" + bridgePorts.get(c.name))
            .toList();
    List<FaultRun.Kill> kills = new ArrayList<>();
    try (TrackedLoad load =
        new TrackedLoad(
            infra.broker.bootstrapServers(),
            infra.registry.url(),
            REPLY_TOPIC,
            // The HTTP calls are async (Prefer: respond-async): their replies land here.
            BridgeConfig.DEFAULT_RESULTS_TOPIC,
            apps,
            bridgeUrls,
            settings.rate(),
            settings.httpFraction(),
            Duration.ofSeconds(30))) {
      load.start();
      Progress progress = new Progress(load, out);
      progress.start();
      try {
        sleepUntil(load, settings.warmup().plus(settings.beforeKill()).toMillis());
        for (int k = 0; k < settings.kills().size(); k++) {
          Child.Kind kind = settings.kills().get(k);
          Child victim = children.stream().filter(c -> c.kind == kind).findFirst().orElseThrow();
          long killedAt = sinceStart(load);
          victim.kill();
          progress.note("killed " + victim.name + " at " + killedAt / 1000.0 + " s");
          sleepUntil(load, killedAt + settings.restartAfter().toMillis());
          long restartedAt = sinceStart(load);
          victim.start();
          long ready = victim.awaitReady(Duration.ofMinutes(2));
          progress.note(victim.name + " restarted, ready after " + ready + " ms");
          kills.add(
              new FaultRun.Kill(
                  kind.name().toLowerCase(java.util.Locale.ROOT),
                  victim.name,
                  killedAt,
                  restartedAt,
                  ready,
                  null));
          sleepUntil(load, killedAt + settings.observe().toMillis());
          if (k < settings.kills().size() - 1) {
            sleepUntil(load, sinceStart(load) + settings.beforeKill().toMillis());
          }
        }
        load.stopSending();
        long drainUntil = System.nanoTime() + settings.drain().toNanos();
        while ((load.outstanding() > 0 || load.undecided() > 0) && System.nanoTime() < drainUntil) {
          Thread.sleep(200);
        }
        // Late duplicates: give the reply readers a moment after the last answer.
        Thread.sleep(1000);
      } finally {
        progress.stop();
      }
      return result(load, kills, loadBefore);
    }
  }

  private FaultRun result(TrackedLoad load, List<FaultRun.Kill> kills, double loadBefore) {
    List<Tracked> all = load.requests();
    List<Recovery.Window> windows = Recovery.windows(all, load.startNanos());
    List<FaultRun.Kill> measured = new ArrayList<>();
    for (FaultRun.Kill k : kills) {
      measured.add(
          new FaultRun.Kill(
              k.kind(),
              k.victim(),
              k.killedAtMs(),
              k.restartedAtMs(),
              k.readyAfterRestartMs(),
              Recovery.after(windows, k.killedAtMs())));
    }
    Map<String, FaultRun.Counts> byPath = new LinkedHashMap<>();
    for (Tracked.Path p : Tracked.Path.values()) {
      byPath.put(p.name().toLowerCase(java.util.Locale.ROOT), counts(load, all, t -> t.path == p));
    }
    List<String> lost =
        all.stream()
            .filter(t -> t.accepted() && !t.answered())
            .limit(20)
            .map(
                t ->
                    t.bridgeRequestId == null
                        ? t.id
                        // Whether a reply reached the results topic tells a bridge that missed it
                        // from a request that was never answered.
                        : t.id
                            + "/"
                            + t.bridgeRequestId
                            + " (replies on Kafka: "
                            + load.bridgeRepliesOf(t)
                            + ")")
            .toList();
    return new FaultRun(
        settings,
        loadBefore,
        loadAverage(),
        counts(load, all, t -> true),
        byPath,
        measured,
        lost,
        load.unmatchedReplies(),
        "1 s windows by intended send time; baseline = p99 of the 10 s ending 1 s before the kill;"
            + " a window is normal when its p99 <= max(2 x baseline, baseline + 100 ms) and all"
            + " its requests were accepted and answered; normal again = the start of the first"
            + " of 3 normal windows in a row, from the window of the kill on, minus the kill time");
  }

  private static FaultRun.Counts counts(
      TrackedLoad load, List<Tracked> all, Predicate<Tracked> which) {
    long sent = 0;
    long accepted = 0;
    long answered = 0;
    long once = 0;
    long dup = 0;
    long lost = 0;
    Map<String, Long> notAccepted = new TreeMap<>();
    Map<String, Long> errors = new TreeMap<>();
    for (Tracked t : all) {
      if (!which.test(t)) {
        continue;
      }
      sent++;
      if (!t.accepted()) {
        notAccepted.merge(
            t.notAccepted == null ? "no_answer_to_send" : t.notAccepted, 1L, Long::sum);
        continue;
      }
      accepted++;
      if (!t.answered()) {
        lost++;
        continue;
      }
      answered++;
      if (t.errorCode != null) {
        errors.merge(t.errorCode, 1L, Long::sum);
      }
      if (load.repliesOf(t) > 1) {
        dup++;
      } else {
        once++;
      }
    }
    return new FaultRun.Counts(sent, accepted, notAccepted, answered, once, dup, lost, errors);
  }

  private final Map<String, Integer> bridgePorts = new LinkedHashMap<>();

  private List<Child> children(Infra infra) throws IOException {
    String bootstrap = infra.broker.bootstrapServers();
    String registry = infra.registry.url();
    Path logs = workDir.resolve("logs");
    Files.createDirectories(logs);
    List<Child> children = new ArrayList<>();
    for (int i = 0; i < settings.routers(); i++) {
      int port = FreePorts.next();
      children.add(
          new Child(
              "router-" + i,
              Child.Kind.ROUTER,
              "router",
              flags(
                  "-D",
                  Map.of(
                      RouterConfig.BOOTSTRAP_SERVERS,
                      bootstrap,
                      RouterConfig.SCHEMA_REGISTRY_URL,
                      registry,
                      RouterConfig.STATE_DIR,
                      workDir.resolve("router-state-" + i).toString(),
                      RouterConfig.MANAGEMENT_PORT,
                      Integer.toString(port),
                      RouterConfig.INSTANCE_ID,
                      "faults-router-" + i)),
              port,
              logs));
    }
    addWorkers(children, FaultSuite.CHAT, settings.chatWorkers(), infra, logs);
    addWorkers(children, FaultSuite.SENTIMENT, settings.sentimentWorkers(), infra, logs);
    for (int i = 0; i < settings.bridges(); i++) {
      int port = FreePorts.next();
      bridgePorts.put("bridge-" + i, port);
      children.add(
          new Child(
              "bridge-" + i,
              Child.Kind.BRIDGE,
              "bridge",
              flags(
                  "-D",
                  Map.of(
                      BridgeConfig.BOOTSTRAP_SERVERS,
                      bootstrap,
                      BridgeConfig.SCHEMA_REGISTRY_URL,
                      registry,
                      BridgeConfig.HOST,
                      "localhost",
                      BridgeConfig.PORT,
                      Integer.toString(port),
                      BridgeConfig.INSTANCE_ID,
                      "faults-bridge-" + i)),
              port,
              logs));
    }
    return children;
  }

  private static void addWorkers(
      List<Child> children, String deployment, int n, Infra infra, Path logs) throws IOException {
    for (int i = 0; i < n; i++) {
      int port = FreePorts.next();
      List<String> args = new ArrayList<>(List.of("--deployment", deployment));
      // The deployment's settings as the manifest gives them (the chart passes the same).
      Map<String, String> keys =
          new LinkedHashMap<>(WorkerSettings.of(infra.manifest.deployment(deployment), null));
      keys.put(WorkerConfig.BOOTSTRAP_SERVERS, infra.broker.bootstrapServers());
      keys.put(WorkerConfig.SCHEMA_REGISTRY_URL, infra.registry.url());
      keys.put(WorkerConfig.MANAGEMENT_PORT, Integer.toString(port));
      keys.put(WorkerConfig.INSTANCE_ID, "faults-" + deployment + "-" + i);
      args.addAll(flags("-D", keys));
      children.add(new Child(deployment + "-" + i, Child.Kind.WORKER, "worker", args, port, logs));
    }
  }

  private static List<String> flags(String flag, Map<String, String> keys) {
    List<String> out = new ArrayList<>();
    keys.forEach(
        (k, v) -> {
          out.add(flag);
          out.add(k + "=" + v);
        });
    return out;
  }

  private static long sinceStart(TrackedLoad load) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - load.startNanos());
  }

  private static void sleepUntil(TrackedLoad load, long sinceStartMs) throws InterruptedException {
    long wait = sinceStartMs - sinceStart(load);
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

  /** The 1-minute load average, or -1 where the OS does not say. */
  static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** A progress line every 5 s, and a line for each kill and restart. */
  private static final class Progress {
    private final TrackedLoad load;
    private final PrintStream out;
    private final java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "faults-progress");
              t.setDaemon(true);
              return t;
            });

    Progress(TrackedLoad load, PrintStream out) {
      this.load = load;
      this.out = out;
    }

    private java.util.concurrent.ScheduledFuture<?> lines;

    void start() {
      lines = timer.scheduleAtFixedRate(this::lineOrSay, 5, 5, TimeUnit.SECONDS);
    }

    /** A failing line would end the schedule in silence: say so instead, and keep going. */
    private void lineOrSay() {
      try {
        line();
      } catch (RuntimeException e) {
        out.printf("faults: progress line failed: %s%n", e);
      }
    }

    void note(String what) {
      out.printf("faults: %6.1f s  %s%n", sinceStart(load) / 1000.0, what);
    }

    private void line() {
      List<Tracked> all = load.requests();
      long accepted = all.stream().filter(Tracked::accepted).count();
      long answered = all.stream().filter(Tracked::answered).count();
      out.printf(
          "faults: %6.1f s  sent %d accepted %d answered %d outstanding %d load %.1f%n",
          sinceStart(load) / 1000.0,
          all.size(),
          accepted,
          answered,
          all.stream().filter(t -> t.accepted() && !t.answered()).count(),
          loadAverage());
    }

    void stop() {
      if (lines != null) {
        lines.cancel(false);
      }
      timer.shutdownNow();
    }
  }
}
