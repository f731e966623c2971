package io.sluice.manifest;

import io.sluice.functions.worker.WorkerConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The worker configuration keys a deployment of the manifest sets ({@link WorkerConfig}'s names).
 * Connection, instance and port keys are the process's own and not here. The dev stack starts its
 * replicas with these; the chart passes the same as {@code -D key=value} arguments.
 */
public final class WorkerSettings {
  private WorkerSettings() {}

  /**
   * The keys of one deployment.
   *
   * @param backendUrl the URL a deployment without {@code backend.url} calls (its vLLM sidecar, the
   *     simulator), or null when there is none
   */
  public static Map<String, String> of(DeploymentSpec d, String backendUrl) {
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put(WorkerConfig.DEPLOYMENT, d.name());
    raw.put(WorkerConfig.FUNCTION, d.function());
    raw.put(WorkerConfig.DELIVERY, d.delivery());
    raw.put(WorkerConfig.MAX_ONGOING_REQUESTS, Integer.toString(d.maxOngoingRequests()));
    raw.put(WorkerConfig.MAX_BATCH_SIZE, Integer.toString(d.batching().maxBatchSize()));
    raw.put(WorkerConfig.DRAIN_SECONDS, Integer.toString(d.gracefulShutdownSeconds()));
    raw.put(WorkerConfig.BACKEND_TIMEOUT_MS, Integer.toString(d.backend().timeoutMs()));
    String url =
        d.backend().url() != null ? d.backend().url() : d.gpu() != null ? backendUrl : null;
    if (url != null) {
      raw.put(WorkerConfig.BACKEND_URL, url);
    }
    if (d.model() != null) {
      raw.put(WorkerConfig.MODEL, d.model());
    }
    d.params().forEach((k, v) -> raw.put(WorkerConfig.FUNCTION_PREFIX + k, v));
    return raw;
  }
}
