package io.sluice.manifest;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One app of a manifest, defaults filled in.
 *
 * @param name the app's name (key under {@code apps})
 * @param partitions partitions of its request and reply topics
 * @param route how its requests reach deployments or pipelines (the short form {@code pipeline: x}
 *     is a route with one variant {@code main})
 */
public record AppSpec(String name, int partitions, Route route) {

  /**
   * A weighted split, shadows and stickiness; every deployment and pipeline named is one of the
   * file's.
   */
  public record Route(
      List<Variant> variants,
      List<Shadow> shadows,
      String stickiness,
      String stickinessAttribute,
      String salt,
      String replyTopic) {
    public Route {
      variants = List.copyOf(variants);
      shadows = List.copyOf(shadows);
    }

    /**
     * Every deployment the route sends to directly, variants first, without repeats; the steps of
     * its pipelines are not included (see {@link #pipelines()}).
     */
    public List<String> deployments() {
      return Stream.concat(
              variants.stream().map(Variant::deployment), shadows.stream().map(Shadow::deployment))
          .filter(Objects::nonNull)
          .distinct()
          .toList();
    }

    /** Every pipeline the route runs, variants first, without repeats. */
    public List<String> pipelines() {
      return Stream.concat(
              variants.stream().map(Variant::pipeline), shadows.stream().map(Shadow::pipeline))
          .filter(Objects::nonNull)
          .distinct()
          .toList();
    }
  }

  /**
   * One arm of the split: exactly one of {@code deployment} and {@code pipeline} is set.
   *
   * @param deployment the deployment it sends to, or null when it runs a pipeline
   * @param pipeline the pipeline it runs, or null when it sends to a deployment
   */
  public record Variant(String name, String deployment, String pipeline, double weight) {}

  /**
   * A mirror target: exactly one of {@code deployment} and {@code pipeline} is set.
   *
   * @param deployment the deployment the copy goes to, or null when it runs a pipeline
   * @param pipeline the pipeline the copy runs, or null when it goes to a deployment
   */
  public record Shadow(String deployment, String pipeline, double percent) {}
}
