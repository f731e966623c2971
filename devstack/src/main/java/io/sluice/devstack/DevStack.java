package io.sluice.devstack;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.autoscaler.LagReader;
import io.sluice.bridge.BridgeConfig;
import io.sluice.bridge.BridgeServer;
import io.sluice.common.config.ConnectionKeys;
import io.sluice.common.config.SluiceConfig;
import io.sluice.common.ops.Health;
import io.sluice.common.ops.ManagementServer;
import io.sluice.common.ops.Metrics;
import io.sluice.functions.worker.FunctionRegistry;
import io.sluice.functions.worker.WorkerApp;
import io.sluice.functions.worker.WorkerConfig;
import io.sluice.kafka.embedded.EmbeddedKafkaBroker;
import io.sluice.manifest.DeploymentSpec;
import io.sluice.manifest.InvalidManifestException;
import io.sluice.manifest.Manifest;
import io.sluice.manifest.WorkerSettings;
import io.sluice.manifest.apply.Applier;
import io.sluice.manifest.apply.Change;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.router.RouterApp;
import io.sluice.router.RouterConfig;
import io.sluice.schemas.serde.SchemaRegistries;
import io.sluice.schemas.serde.SerdeConfig;
import io.sluice.simulator.SimulatorConfig;
import io.sluice.simulator.SimulatorServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default, in one process: a real single-node Kafka (KRaft), the schema registry, the
 * stream router, the vLLM simulator (or a real vLLM), the workers of every deployment of its
 * manifest as replicas resized by the KEDA/HPA scaling law, and the HTTP bridge. At start-up the
 * manifest is applied exactly as {@code sluice apply} applies it (topics, schemas, routes); an edit
 * of the file is applied again while it runs ({@link #reload()}). {@link #close()} stops everything
 * in reverse order.
 */
public final class DevStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevStack.class);

  /**
   * Prefix of every static group membership id ({@code group.instance.id}) of the dev stack's
   * consumers. The ids are fixed, not random, so that after a kill -9 of the whole JVM the
   * restarted members replace their dead selves at once instead of waiting for them to expire (41 s
   * of a 61.6 s restart before). One dev stack per broker, so fixed names cannot collide.
   */
  static final String INSTANCE_PREFIX = "sluice-dev-";

  private final DevStackSettings settings;
  private final List<AutoCloseable> started = new ArrayList<>();
  private EmbeddedKafkaBroker broker;
  private EmbeddedSchemaRegistry registry;
  private RouterApp router;
  private BridgeServer bridge;
  private PrometheusMeterRegistry metrics;
  private ManagementServer management;
  private SimulatorServer simulator;
  private DevAutoscaler autoscaler;
  private FunctionRegistry functions;
  private volatile Manifest manifest;
  private Applier applier;
  private LagReader lagReader;
  private String simulatedBackendUrl;

  public DevStack(DevStackSettings settings) {
    this.settings = settings;
  }

  /** Starts the stack; returns once every part answers. */
  public DevStack start() {
    try {
      return startParts();
    } catch (RuntimeException e) {
      close(); // a port in use, say: stop what did start rather than leave it running
      throw e;
    }
  }

  private DevStack startParts() {
    long t0 = System.nanoTime();
    // First, so a mistake in the file or a --functions path stops the stack before anything
    // starts (the manifest's functions must be ones it can load).
    functions = FunctionRegistry.load(settings.functionPaths());
    started.add(functions);
    manifest = DevManifest.load(settings.manifest(), functions);
    log.info(
        "manifest {}: deployments {}, apps {}",
        manifest.file(),
        manifest.deployments().keySet(),
        manifest.apps().keySet());
    Path kafkaDir = settings.dataDir().resolve("kafka");
    if (settings.fresh()) {
      wipe(settings.dataDir());
    }
    broker =
        EmbeddedKafkaBroker.builder()
            .dataDirectory(kafkaDir)
            .host(settings.host())
            .port(settings.kafkaPort())
            // The broker is its own controller. After a kill -9 the controller, starting again,
            // gives the dead broker registration a fresh session and refuses the new one until
            // it expires: 9 s (Kafka's default) of every restart. One node, one JVM: there is no
            // network partition to ride out, so a short session costs nothing.
            .brokerProperty("broker.session.timeout.ms", "2000")
            .brokerProperty("broker.heartbeat.interval.ms", "500")
            .build()
            .start();
    started.add(broker);
    log.info("Kafka (KRaft, single node) on {} — data in {}", broker.bootstrapServers(), kafkaDir);

    registry =
        EmbeddedSchemaRegistry.builder(broker.bootstrapServers(), settings.registryPort())
            .host(settings.host())
            .build()
            .start();
    started.add(registry);
    log.info("Schema Registry on {}", registry.url());

    SerdeConfig serde = SerdeConfig.from(ConnectionKeys.registrySettings(connection()));
    applier =
        Applier.create(
            ConnectionKeys.clientSettings(connection()), SchemaRegistries.forConfig(serde), serde);
    started.add(applier);
    // As `sluice apply -f` would: topics, every subject registered before the first request,
    // routes. On a restart only what changed in the file since is changed.
    logChanges(applier.apply(manifest));
    startRouter();
    long infraMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    // Workers and the bridge join their groups while the router joins its own: nothing of theirs
    // needs a running router, so the waits overlap instead of adding up.
    startWorkers();
    startBridge();
    awaitRouterRunning(Duration.ofSeconds(60));
    long routerMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    // Ready once it owns reply partitions: before that it answers 503.
    awaitReady("the HTTP bridge", bridge::ready, Duration.ofSeconds(60));
    started.add(
        new ManifestWatcher(settings.manifest(), this::reload).start(Duration.ofSeconds(1)));
    log.info("HTTP bridge on {}", bridgeUrl());
    log.info(
        "dev stack up in {} ms (broker and registry {} ms, router running {} ms)",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
        infraMs,
        routerMs);
    return this;
  }

  /** The shared connection keys of the stack's own broker and registry, as every process reads. */
  private SluiceConfig connection() {
    return ConnectionKeys.definition()
        .parse(
            Map.of(
                ConnectionKeys.BOOTSTRAP_SERVERS,
                broker.bootstrapServers(),
                ConnectionKeys.SCHEMA_REGISTRY_URL,
                registry.url()));
  }

  private void startRouter() {
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put(RouterConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    raw.put(RouterConfig.SCHEMA_REGISTRY_URL, registry.url());
    raw.put(RouterConfig.STATE_DIR, settings.dataDir().resolve("router-state").toString());
    raw.put(RouterConfig.MANAGEMENT_HOST, settings.host());
    raw.put(RouterConfig.MANAGEMENT_PORT, Integer.toString(settings.routerManagementPort()));
    // Static membership with a fixed name: after a kill -9 of the whole stack the restarted router
    // takes its partitions back at once instead of waiting for its old member to expire.
    raw.put(RouterConfig.INSTANCE_ID, INSTANCE_PREFIX + "router");
    router = RouterApp.start(RouterConfig.of(raw));
    started.add(router);
    log.info("stream router started (management on port {})", router.managementPort());
  }

  private void startWorkers() {
    metrics = Metrics.newRegistry("devstack");
    try {
      management =
          ManagementServer.start(
              settings.host(),
              settings.metricsPort(),
              metrics,
              () -> Health.up(Map.of()),
              () -> Health.up(Map.of()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the dev stack's metrics", e);
    }
    started.add(management);
    // Loaded once and closed after every replica (its class loader holds the user's jars).
    String backend = settings.vllmUrl();
    if (backend == null) {
      simulator = SimulatorServer.start(SimulatorConfig.defaults(settings.simulatorPort()));
      started.add(simulator);
      backend = simulator.baseUrl();
      log.info("vLLM simulator on {} (model {})", backend, simulator.config().model());
    } else {
      log.info("LLM deployments call the vLLM at {}", backend);
    }
    simulatedBackendUrl = backend;
    lagReader = LagReader.create(ConnectionKeys.clientSettings(connection()));
    started.add(lagReader);
    List<ScaledDeployment> scaled = new ArrayList<>();
    for (DeploymentSpec d : manifest.deployments().values()) {
      scaled.add(scaledDeployment(d));
    }
    autoscaler = new DevAutoscaler(scaled).start(settings.scalePollInterval());
    started.add(autoscaler);
  }

  private ScaledDeployment scaledDeployment(DeploymentSpec d) {
    return new ScaledDeployment(
        d.name(),
        DevManifest.scaling(d, settings.scaleDownDelay()),
        (deployment, index) -> new WorkerReplica(startWorker(d, index)),
        lagReader,
        metrics,
        Clock.systemUTC());
  }

  private WorkerApp startWorker(DeploymentSpec d, int index) throws Exception {
    // What the manifest says about the deployment, as the chart passes it to a worker pod; with
    // gpu and no backend.url, the simulator (or --vllm-url) stands in for the vLLM sidecar.
    Map<String, String> raw = new LinkedHashMap<>(WorkerSettings.of(d, simulatedBackendUrl));
    // One stable id per replica slot, as a StatefulSet ordinal: see ScaledDeployment.
    raw.put(WorkerConfig.INSTANCE_ID, INSTANCE_PREFIX + d.name() + "-" + index);
    raw.put(WorkerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    raw.put(WorkerConfig.SCHEMA_REGISTRY_URL, registry.url());
    raw.put(WorkerConfig.MANAGEMENT_PORT, "-1"); // the dev stack serves all replicas' metrics
    if (d.servedByVllm()) {
      if (simulator != null) {
        raw.remove(WorkerConfig.MODEL); // the simulator serves one model, whatever gpu.model says
      } else if (settings.vllmModel() != null) {
        raw.put(WorkerConfig.MODEL, settings.vllmModel());
      }
    }
    if (d.backend().apiKeySecret() != null) {
      String key = System.getenv(DevManifest.apiKeyVariable(d.name()));
      if (key != null) {
        raw.put(WorkerConfig.BACKEND_API_KEY, key);
      }
    }
    WorkerConfig config = WorkerConfig.from(WorkerConfig.definition().parse(raw));
    return WorkerApp.start(config, functions.create(d.function()), metrics);
  }

  /** The manifest in force. */
  public Manifest manifest() {
    return manifest;
  }

  /**
   * Reads the manifest file again and, if it is valid, applies it as {@code sluice apply} would and
   * brings the workers in line: deployments added are started, removed ones stopped, changed ones
   * restarted with their new settings; unchanged ones keep running. An invalid file changes
   * nothing.
   *
   * @return what changed in the cluster (topics, schemas, routes)
   * @throws InvalidManifestException naming every problem of the edited file
   */
  public synchronized List<Change> reload() {
    Manifest next = DevManifest.load(settings.manifest(), functions);
    Manifest previous = manifest;
    List<Change> changes = applier.apply(next);
    logChanges(changes);
    for (DeploymentSpec d : next.deployments().values()) {
      DeploymentSpec was = previous.deployments().get(d.name());
      if (!d.equals(was)) {
        log.info("deployment {} {}", d.name(), was == null ? "added" : "changed: restarting it");
        autoscaler.put(scaledDeployment(d));
      }
    }
    for (String gone : previous.deployments().keySet()) {
      if (!next.deployments().containsKey(gone) && autoscaler.remove(gone)) {
        log.info("deployment {} removed from the manifest: its workers stopped", gone);
      }
    }
    manifest = next;
    return changes;
  }

  private static void logChanges(List<Change> changes) {
    if (changes.isEmpty()) {
      log.info("manifest already in force: no change");
    }
    changes.forEach(c -> log.info("apply: {}", c));
  }

  /** Deployment names running now. */
  Set<String> runningDeployments() {
    Set<String> names = new java.util.LinkedHashSet<>();
    autoscaler.deployments().forEach(d -> names.add(d.deployment()));
    return names;
  }

  /** The dev stack's autoscaler: each demo deployment's replicas and scaling history. */
  public DevAutoscaler autoscaler() {
    return autoscaler;
  }

  private void startBridge() {
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put(BridgeConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    raw.put(BridgeConfig.SCHEMA_REGISTRY_URL, registry.url());
    raw.put(BridgeConfig.HOST, settings.host());
    raw.put(BridgeConfig.PORT, Integer.toString(settings.bridgePort()));
    raw.put(BridgeConfig.INSTANCE_ID, INSTANCE_PREFIX + "bridge");
    bridge = BridgeServer.start(BridgeConfig.of(raw));
    started.add(bridge);
  }

  /** The bridge's base URL, e.g. {@code http://localhost:8080}. */
  public String bridgeUrl() {
    return "http://" + settings.host() + ":" + bridge.port();
  }

  private void awaitRouterRunning(Duration timeout) {
    awaitReady("the router", () -> router.state() == KafkaStreams.State.RUNNING, timeout);
  }

  /** Waits until a part reports ready, so "dev stack up" means requests are served. */
  private static void awaitReady(
      String what, java.util.function.BooleanSupplier ready, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " was not ready within " + timeout);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /** The endpoints a user needs, in the order they are printed. */
  public Map<String, String> endpoints() {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("Kafka bootstrap", broker.bootstrapServers());
    e.put("HTTP bridge", bridgeUrl());
    e.put("Schema Registry", registry.url());
    if (simulator != null) {
      e.put("vLLM simulator", simulator.baseUrl());
    }
    e.put(
        "Router metrics", "http://" + settings.host() + ":" + router.managementPort() + "/metrics");
    e.put("Workers metrics", "http://" + settings.host() + ":" + management.port() + "/metrics");
    return e;
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  private static void wipe(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    log.info("--fresh: wiping {}", dir.toAbsolutePath());
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot wipe " + dir, e);
    }
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", started.get(i).getClass().getSimpleName(), e.toString());
      }
    }
    started.clear();
  }
}
