package io.sluice.common.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Validated, typed configuration values. Secrets are redacted from {@link #toString()}. */
public final class SluiceConfig {
  private final ConfigDef def;
  private final Map<String, Object> values;
  private final Map<String, String> passThrough;

  SluiceConfig(ConfigDef def, Map<String, Object> values, Map<String, String> passThrough) {
    this.def = def;
    this.values = Map.copyOf(withoutNulls(values));
    this.passThrough = Map.copyOf(passThrough);
  }

  private static Map<String, Object> withoutNulls(Map<String, Object> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach(
        (k, v) -> {
          if (v != null) {
            out.put(k, v);
          }
        });
    return out;
  }

  private Object value(String key) {
    if (!def.keys().containsKey(key)) {
      throw new IllegalArgumentException("configuration key not defined: " + key);
    }
    return values.get(key);
  }

  public String getString(String key) {
    Object v = value(key);
    return v == null ? null : v.toString();
  }

  public int getInt(String key) {
    return ((Number) value(key)).intValue();
  }

  public long getLong(String key) {
    return ((Number) value(key)).longValue();
  }

  public double getDouble(String key) {
    return ((Number) value(key)).doubleValue();
  }

  public boolean getBoolean(String key) {
    return (Boolean) value(key);
  }

  @SuppressWarnings("unchecked")
  public List<String> getList(String key) {
    Object v = value(key);
    return v == null ? List.of() : (List<String>) v;
  }

  /**
   * Undeclared keys under {@code prefix} (allowed by {@link ConfigDef#allowPrefix}), prefix cut.
   */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    passThrough.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (ConfigDef.Key k : def.keys().values()) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      Object v = values.get(k.name());
      sb.append(k.name())
          .append('=')
          .append(k.type() == ConfigDef.Type.PASSWORD && v != null ? "[redacted]" : v);
    }
    passThrough.forEach(
        (k, v) -> sb.append(", ").append(k).append('=').append(looksSecret(k) ? "[redacted]" : v));
    return sb.append('}').toString();
  }

  private static boolean looksSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password")
        || k.contains("secret")
        || k.contains("jaas")
        || k.contains("key");
  }
}
