package io.sluice.manifest;

import java.util.List;

/**
 * One app of a manifest, defaults filled in.
 *
 * @param name the app's name (key under {@code apps})
 * @param partitions partitions of its request and reply topics
 * @param route how its requests reach deployments
 */
public record AppSpec(String name, int partitions, Route route) {

  /** A weighted split, shadows and stickiness; every deployment named is one of the file's. */
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

    /** Every deployment the route sends to, variants first, without repeats. */
    public List<String> deployments() {
      return java.util.stream.Stream.concat(
              variants.stream().map(Variant::deployment), shadows.stream().map(Shadow::deployment))
          .distinct()
          .toList();
    }
  }

  /** One arm of the split. */
  public record Variant(String name, String deployment, double weight) {}

  /** A mirror target. */
  public record Shadow(String deployment, double percent) {}
}
