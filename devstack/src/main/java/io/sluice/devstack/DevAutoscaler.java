package io.sluice.devstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls every scaled deployment on one thread at a short interval (KEDA polls every 30 s and the
 * HPA syncs every 15 s; the scaling law measures its windows in time, not polls, so polling faster
 * only makes the laptop react sooner). Deployments can be added, replaced and removed while it
 * runs: the dev stack does so when its manifest changes.
 */
public final class DevAutoscaler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevAutoscaler.class);

  private final Map<String, ScaledDeployment> deployments = new LinkedHashMap<>();
  private volatile ScheduledFuture<?> polling;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-autoscaler");
            t.setDaemon(true);
            return t;
          });

  public DevAutoscaler(List<ScaledDeployment> deployments) {
    deployments.forEach(d -> this.deployments.put(d.deployment(), d));
  }

  /** Starts each deployment's minimum replicas, then polls every {@code interval}. */
  public DevAutoscaler start(Duration interval) {
    deployments().forEach(ScaledDeployment::start);
    polling =
        executor.scheduleWithFixedDelay(
            this::pollAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Starts a deployment's minimum replicas and scales it from now on; a running deployment of the
   * same name is stopped first (its replicas restart with the new settings).
   */
  public void put(ScaledDeployment d) {
    ScaledDeployment previous;
    synchronized (deployments) {
      previous = deployments.remove(d.deployment());
    }
    if (previous != null) {
      previous.close();
    }
    d.start();
    synchronized (deployments) {
      deployments.put(d.deployment(), d);
    }
  }

  /** Stops a deployment's replicas and stops scaling it; false if there was none. */
  public boolean remove(String deployment) {
    ScaledDeployment d;
    synchronized (deployments) {
      d = deployments.remove(deployment);
    }
    if (d != null) {
      d.close();
    }
    return d != null;
  }

  private void pollAll() {
    for (ScaledDeployment d : deployments()) {
      try {
        d.pollOnce(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        // Keep polling: a broker hiccup must not freeze scaling for good.
        log.warn("{}: scaling poll failed: {}", d.deployment(), e.toString());
      } catch (Error e) {
        // The executor would end the schedule and keep the Error in a future nobody reads.
        log.error("{}: scaling stopped: {}", d.deployment(), e.toString(), e);
        throw e;
      }
    }
  }

  /** The deployments scaled now, in the order they were added. */
  public List<ScaledDeployment> deployments() {
    synchronized (deployments) {
      return new ArrayList<>(deployments.values());
    }
  }

  @Override
  public void close() {
    ScheduledFuture<?> p = polling;
    if (p != null) {
      p.cancel(false);
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ScaledDeployment d : deployments()) {
      d.close();
    }
  }
}
