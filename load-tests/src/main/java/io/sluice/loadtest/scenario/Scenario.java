package io.sluice.loadtest.scenario;

import io.sluice.loadtest.generator.GeneratorSettings;
import java.util.List;

/**
 * A named load shape and what it is meant to show.
 *
 * @param name short name used on the command line and in the report
 * @param description what it shows
 * @param settings the generator settings
 * @param deployments deployments whose replicas and lag are sampled during the run
 */
public record Scenario(
    String name, String description, GeneratorSettings settings, List<String> deployments) {
  public Scenario {
    deployments = List.copyOf(deployments);
  }
}
