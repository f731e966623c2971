package io.sluice.common.config;

import java.util.Arrays;
import java.util.List;

/** Common {@link ConfigDef.Validator}s. */
public final class Validators {
  private Validators() {}

  public static ConfigDef.Validator atLeast(long min) {
    return (key, value) -> {
      if (((Number) value).doubleValue() < min) {
        throw new ConfigException(key, value, "must be at least " + min);
      }
    };
  }

  public static ConfigDef.Validator between(double min, double max) {
    return (key, value) -> {
      double d = ((Number) value).doubleValue();
      if (d < min || d > max) {
        throw new ConfigException(key, value, "must be between " + min + " and " + max);
      }
    };
  }

  public static ConfigDef.Validator oneOf(String... allowed) {
    List<String> list = Arrays.asList(allowed);
    return (key, value) -> {
      if (!list.contains(value.toString())) {
        throw new ConfigException(key, value, "must be one of " + list);
      }
    };
  }

  public static ConfigDef.Validator nonEmpty() {
    return (key, value) -> {
      if (value.toString().isBlank() || (value instanceof List<?> l && l.isEmpty())) {
        throw new ConfigException(key, value, "must not be empty");
      }
    };
  }

  public static ConfigDef.Validator port() {
    return (key, value) -> {
      int p = ((Number) value).intValue();
      if (p < 0 || p > 65535) {
        throw new ConfigException(key, value, "must be a TCP port 0..65535 (0 picks a free one)");
      }
    };
  }
}
