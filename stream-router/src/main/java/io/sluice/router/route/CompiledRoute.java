package io.sluice.router.route;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Shadow;
import io.sluice.avro.Variant;
import io.sluice.router.batch.BatchLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A validated {@link RouteConfig} prepared for the hot path: cumulative weights for the sticky
 * split, shadows and batching limits per deployment.
 *
 * <p>Variant {@code i} owns the hash interval {@code [cum[i-1], cum[i])}. Moving weight between two
 * variants therefore moves only the callers in the slice that changes hands.
 */
public final class CompiledRoute {
  private final RouteConfig config;
  private final List<Variant> variants;
  private final double[] cumulative;
  private final List<Shadow> shadows;
  private final Map<String, BatchingSettings> batching;

  private CompiledRoute(RouteConfig config) {
    this.config = config;
    this.variants = List.copyOf(config.getVariants());
    this.shadows = config.getShadows() == null ? List.of() : List.copyOf(config.getShadows());
    this.batching = config.getBatching() == null ? Map.of() : Map.copyOf(config.getBatching());
    double total = variants.stream().mapToDouble(Variant::getWeight).sum();
    cumulative = new double[variants.size()];
    double sum = 0;
    for (int i = 0; i < variants.size(); i++) {
      sum += variants.get(i).getWeight() / total;
      cumulative[i] = sum;
    }
  }

  /**
   * Compiles a config.
   *
   * @throws InvalidRouteException listing every problem, if the config is invalid
   */
  public static CompiledRoute compile(RouteConfig config) {
    List<String> problems = RouteValidator.problems(config);
    if (!problems.isEmpty()) {
      throw new InvalidRouteException(config.getApp(), problems);
    }
    return new CompiledRoute(config);
  }

  public RouteConfig config() {
    return config;
  }

  /** The variant of a stickiness key. */
  public Variant pick(byte[] stickyKey) {
    double u = StickyHash.unit(config.getSalt(), stickyKey);
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i] && variants.get(i).getWeight() > 0) {
        return variants.get(i);
      }
    }
    // Rounding can leave the top of [0, 1) uncovered: the last positive-weight variant owns it.
    for (int i = variants.size() - 1; i >= 0; i--) {
      if (variants.get(i).getWeight() > 0) {
        return variants.get(i);
      }
    }
    throw new IllegalStateException("no variant with positive weight");
  }

  /** The shadows that mirror this key (stable per key, like the variant split). */
  public List<Shadow> shadowsFor(byte[] stickyKey) {
    if (shadows.isEmpty()) {
      return List.of();
    }
    return shadows.stream()
        .filter(
            s ->
                s.getPercent() >= 100
                    || StickyHash.unit(
                            config.getSalt() + "\u0000shadow:" + s.getDeployment(), stickyKey)
                        < s.getPercent() / 100.0)
        .toList();
  }

  /** The stickiness key of a request: record key, request id or an attribute, per the config. */
  public byte[] stickyKey(byte[] recordKey, InferenceRequest request) {
    String fallback = request.getRequestId();
    switch (config.getStickiness()) {
      case REQUEST_ID:
        return fallback.getBytes(StandardCharsets.UTF_8);
      case ATTRIBUTE:
        String v =
            request.getAttributes() == null
                ? null
                : request.getAttributes().get(config.getStickinessAttribute());
        if (v != null) {
          return v.getBytes(StandardCharsets.UTF_8);
        }
        break;
      case RECORD_KEY:
      default:
        break;
    }
    return recordKey != null ? recordKey : fallback.getBytes(StandardCharsets.UTF_8);
  }

  /** The batching limits of a deployment: the route's own, else the router defaults. */
  public BatchLimits limitsFor(String deployment, BatchLimits defaults) {
    BatchingSettings b = batching.get(deployment);
    return b == null ? defaults : BatchLimits.of(b);
  }
}
