package io.sluice.manifest;

import io.sluice.schemas.pipeline.PipelineGraph;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A validated manifest: every deployment and app, in file order, defaults filled in. Read one with
 * {@link ManifestLoader}:
 *
 * <pre>{@code
 * Manifest m = ManifestLoader.load(Path.of("sluice.yaml")); // or InvalidManifestException
 * m.deployments().get("chat-a").batching().maxBatchSize();
 * }</pre>
 *
 * @param file where it was read from, as the user named it
 * @param deployments by name
 * @param apps by name
 * @param pipelines by name, compiled (their step deployments are the file's)
 */
public record Manifest(
    String file,
    Map<String, DeploymentSpec> deployments,
    Map<String, AppSpec> apps,
    Map<String, PipelineGraph> pipelines) {
  public Manifest {
    deployments = Collections.unmodifiableMap(new LinkedHashMap<>(deployments));
    apps = Collections.unmodifiableMap(new LinkedHashMap<>(apps));
    pipelines = Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
  }

  /** The pipeline of that name, or an exception naming the ones there are. */
  public PipelineGraph pipeline(String name) {
    PipelineGraph p = pipelines.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "pipeline '"
              + name
              + "' is not in "
              + file
              + " (pipelines: "
              + String.join(", ", pipelines.keySet())
              + ")");
    }
    return p;
  }

  /** Whether any app's route runs a pipeline. */
  public boolean usesPipelines() {
    return apps.values().stream().anyMatch(a -> !a.route().pipelines().isEmpty());
  }

  /** The deployment of that name, or an exception naming the ones there are. */
  public DeploymentSpec deployment(String name) {
    DeploymentSpec d = deployments.get(name);
    if (d == null) {
      throw new IllegalArgumentException(
          "deployment '"
              + name
              + "' is not in "
              + file
              + " (deployments: "
              + String.join(", ", deployments.keySet())
              + ")");
    }
    return d;
  }
}
