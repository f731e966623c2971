package io.sluice.devstack;

import io.sluice.autoscaler.ScalingBehavior;
import io.sluice.autoscaler.ScalingConfig;
import io.sluice.autoscaler.ScalingRules;
import io.sluice.functions.worker.FunctionRegistry;
import io.sluice.manifest.DeploymentSpec;
import io.sluice.manifest.InvalidManifestException;
import io.sluice.manifest.Manifest;
import io.sluice.manifest.ManifestLoader;
import io.sluice.manifest.ManifestProblem;
import io.sluice.manifest.ScalingLaw;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The dev stack's reading of its manifest: the file loaded and validated as {@code sluice apply}
 * does, plus the check only a running stack can make (every function is one it can load), and the
 * scaling law of each deployment ({@link ScalingLaw}, the chart's numbers).
 */
final class DevManifest {
  private DevManifest() {}

  /**
   * Loads the manifest and checks that every deployment's function is known.
   *
   * @throws InvalidManifestException naming every problem
   */
  static Manifest load(Path file, FunctionRegistry functions) {
    Manifest m = ManifestLoader.load(file);
    List<ManifestProblem> problems = new ArrayList<>();
    for (DeploymentSpec d : m.deployments().values()) {
      if (!functions.names().contains(d.function())) {
        problems.add(
            new ManifestProblem(
                m.file(),
                0,
                0,
                "deployments." + d.name() + ".function",
                "no function named '"
                    + d.function()
                    + "' (known: "
                    + String.join(", ", functions.names())
                    + "; add yours with --functions PATH)"));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidManifestException(problems);
    }
    return m;
  }

  /**
   * The deployment's scaling law; with a scale-down override (tests), its cooldown and scale-down
   * window replaced.
   */
  static ScalingConfig scaling(DeploymentSpec d, Duration scaleDownOverride) {
    ScalingConfig law = ScalingLaw.of(d);
    if (scaleDownOverride == null) {
      return law;
    }
    ScalingRules down = law.behavior().scaleDown();
    return law.toBuilder()
        .cooldownPeriod(scaleDownOverride)
        .behavior(
            new ScalingBehavior(
                law.behavior().scaleUp(),
                new ScalingRules(scaleDownOverride, down.selectPolicy(), down.policies())))
        .build();
  }

  /**
   * The environment variable that holds a deployment's backend API key in the dev stack (a cluster
   * takes it from the Secret the manifest names).
   */
  static String apiKeyVariable(String deployment) {
    return "SLUICE_BACKEND_API_KEY_" + deployment.toUpperCase(Locale.ROOT).replace('-', '_');
  }
}
