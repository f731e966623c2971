package io.sluice.common.ops;

import java.util.Map;

/** The answer of a health check: up or down, with details for the JSON body. */
public record Health(boolean up, Map<String, Object> details) {
  public static Health up(Map<String, Object> details) {
    return new Health(true, details);
  }

  public static Health down(Map<String, Object> details) {
    return new Health(false, details);
  }

  /** A health check, called on every probe; must be cheap and never block for long. */
  @FunctionalInterface
  public interface Check {
    Health check();
  }
}
