package io.sluice.schemas.registry;

import java.util.Locale;

/** The compatibility levels of the Schema Registry API. */
public enum CompatibilityLevel {
  NONE,
  BACKWARD,
  BACKWARD_TRANSITIVE,
  FORWARD,
  FORWARD_TRANSITIVE,
  FULL,
  FULL_TRANSITIVE;

  /** Parses a level case-insensitively; throws naming the allowed values. */
  public static CompatibilityLevel parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "compatibility level '" + text + "' is not one of " + java.util.Arrays.toString(values()),
          e);
    }
  }
}
