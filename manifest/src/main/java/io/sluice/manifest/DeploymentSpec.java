package io.sluice.manifest;

import java.util.List;
import java.util.Map;

/**
 * One deployment of a manifest, defaults filled in. Every field is described once, in the manifest
 * schema ({@link ManifestSchema}); the names here are the schema's.
 *
 * @param name the deployment's name (key under {@code deployments})
 * @param function the function's provider name
 * @param params the function's own settings ({@code sluice.function.<key>})
 * @param backend the model server it calls
 * @param batching the router's micro-batching limits for it
 * @param maxOngoingRequests requests one replica works on at once
 * @param delivery {@code at-least-once} or {@code exactly-once}
 * @param partitions partitions of its batch topic
 * @param scaling replicas and the autoscaling law
 * @param resources CPU and memory of one replica, or null
 * @param gpu the vLLM sidecar's settings, or null for a CPU deployment
 * @param healthCheck probe period and timeout
 * @param gracefulShutdownSeconds how long a replica drains after SIGTERM
 */
public record DeploymentSpec(
    String name,
    String function,
    Map<String, String> params,
    Backend backend,
    Batching batching,
    int maxOngoingRequests,
    String delivery,
    int partitions,
    Scaling scaling,
    Resources resources,
    Gpu gpu,
    HealthCheck healthCheck,
    int gracefulShutdownSeconds) {

  /** Default lag per replica when neither target is given (KEDA's default lagThreshold). */
  public static final long DEFAULT_LAG_PER_REPLICA = 10;

  public DeploymentSpec {
    params = Map.copyOf(params);
  }

  /**
   * The target lag per replica (KEDA's {@code lagThreshold}) in batches: {@code
   * targetLagPerReplica}, or {@code targetOngoingRequests} converted at full batches.
   */
  public long lagThreshold() {
    if (scaling.targetLagPerReplica() != null) {
      return scaling.targetLagPerReplica();
    }
    if (scaling.targetOngoingRequests() != null) {
      return Math.max(1, Math.round(scaling.targetOngoingRequests() / batching.maxBatchSize()));
    }
    return DEFAULT_LAG_PER_REPLICA;
  }

  /** Whether a vLLM (sidecar in a cluster, simulator in the dev stack) serves this deployment. */
  public boolean servedByVllm() {
    return gpu != null && backend.url() == null;
  }

  /** The model to request: the backend's, else the GPU's, else null (the server's first). */
  public String model() {
    return backend.model() != null ? backend.model() : gpu == null ? null : gpu.model();
  }

  /** A Kubernetes Secret key. */
  public record SecretRef(String name, String key) {}

  /** The model server: URL (null: the vLLM sidecar or simulator), model, API key, timeout. */
  public record Backend(String url, String model, SecretRef apiKeySecret, int timeoutMs) {}

  /**
   * Flush at maxBatchSize requests, maxWaitMs after the first (bulkMaxWaitMs for BULK batches, its
   * default filled in: {@code io.sluice.schemas.BulkWait#resolve}), or maxBatchTokens (null: none).
   */
  public record Batching(
      int maxBatchSize, long maxWaitMs, Integer maxBatchTokens, long bulkMaxWaitMs) {}

  /** Replicas and the scaling law, in the manifest's (Ray Serve-like) names. */
  public record Scaling(
      int minReplicas,
      int maxReplicas,
      int initialReplicas,
      Long targetLagPerReplica,
      Double targetOngoingRequests,
      int upscaleDelaySeconds,
      int downscaleDelaySeconds,
      int downscaleToZeroDelaySeconds,
      double upscalingFactor,
      double downscalingFactor,
      int pollingIntervalSeconds) {}

  /** Kubernetes quantities, either may be null. */
  public record Resources(String cpu, String memory) {}

  /** An environment value: literal, or from a Secret. */
  public record EnvValue(String value, String secretName, String secretKey) {}

  /** The vLLM sidecar. */
  public record Gpu(
      int count,
      String type,
      String model,
      Integer maxModelLen,
      Double gpuMemoryUtilization,
      int tensorParallelSize,
      List<String> extraArgs,
      Map<String, EnvValue> env) {
    public Gpu {
      extraArgs = List.copyOf(extraArgs);
      env = Map.copyOf(env);
    }
  }

  /** Probe period and timeout, seconds. */
  public record HealthCheck(int periodSeconds, int timeoutSeconds) {}
}
