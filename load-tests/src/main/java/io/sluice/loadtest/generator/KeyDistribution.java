package io.sluice.loadtest.generator;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Chooses the record key (the stickiness key) of each request.
 *
 * <ul>
 *   <li>{@code none}: no key (the Kafka record key is the request id);
 *   <li>{@code uniform:N}: {@code key-0 .. key-(N-1)} with equal probability;
 *   <li>{@code zipf:N:S}: the same keys, key {@code i} with probability proportional to {@code
 *       1/(i+1)^S} (a few hot callers, a long tail);
 *   <li>{@code fixed:N}: {@code user-0 .. user-(N-1)} in round robin, so every key recurs and
 *       sticky A/B routing can be checked per key.
 * </ul>
 */
public interface KeyDistribution {
  /** The next key, or {@code null} for none. */
  String next(SplittableRandom random);

  /** The spec this was parsed from. */
  String spec();

  /** Parses a spec; throws naming the value and what is allowed. */
  static KeyDistribution parse(String spec) {
    // -1: a trailing ':' leaves an empty part, which is then rejected, not silently dropped.
    String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(":", -1);
    try {
      return switch (parts[0]) {
        case "none" ->
            new KeyDistribution() {
              @Override
              public String next(SplittableRandom random) {
                return null;
              }

              @Override
              public String spec() {
                return "none";
              }
            };
        case "uniform" -> new Uniform(positive(parts[1]), spec);
        case "zipf" ->
            new Zipf(
                positive(parts[1]), parts.length > 2 ? Double.parseDouble(parts[2]) : 1.0, spec);
        case "fixed" -> new Fixed(positive(parts[1]), spec);
        default -> throw new IllegalArgumentException(bad(spec));
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(bad(spec), e);
    }
  }

  private static String bad(String spec) {
    return "--keys '"
        + spec
        + "' is not allowed: use none, uniform:N, zipf:N[:S] or fixed:N (N > 0, S > 0)";
  }

  private static int positive(String s) {
    int n = Integer.parseInt(s);
    if (n <= 0) {
      throw new IllegalArgumentException("N must be > 0");
    }
    return n;
  }

  /** Uniform over N keys. */
  record Uniform(int n, String spec) implements KeyDistribution {
    @Override
    public String next(SplittableRandom random) {
      return "key-" + random.nextInt(n);
    }
  }

  /** Round robin over a fixed set of N keys. */
  final class Fixed implements KeyDistribution {
    private final int n;
    private final String spec;
    private long next;

    Fixed(int n, String spec) {
      this.n = n;
      this.spec = spec;
    }

    @Override
    public String next(SplittableRandom random) {
      return "user-" + (next++ % n);
    }

    @Override
    public String spec() {
      return spec;
    }
  }

  /** Zipf over N keys by inverse transform on a precomputed CDF. */
  final class Zipf implements KeyDistribution {
    private final double[] cdf;
    private final String spec;

    Zipf(int n, double s, String spec) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("S must be > 0");
      }
      this.spec = spec;
      cdf = new double[n];
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += 1 / Math.pow(i + 1, s);
        cdf[i] = sum;
      }
      for (int i = 0; i < n; i++) {
        cdf[i] /= sum;
      }
    }

    @Override
    public String next(SplittableRandom random) {
      double u = random.nextDouble();
      int lo = 0;
      int hi = cdf.length - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cdf[mid] < u) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return "key-" + lo;
    }

    @Override
    public String spec() {
      return spec;
    }
  }
}
