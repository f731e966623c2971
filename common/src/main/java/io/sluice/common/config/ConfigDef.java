package io.sluice.common.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Each configuration key defined once, with its type, default, validation and doc string, as
 * Kafka's {@code ConfigDef} does. {@link #parse} turns layered raw strings into a validated {@link
 * SluiceConfig}; {@link #toMarkdown} generates the reference docs from the same source.
 *
 * <pre>{@code
 * ConfigDef def = new ConfigDef()
 *     .define("sluice.router.threads", Type.INT, 2, Validators.atLeast(1), "Stream threads.");
 * SluiceConfig c = def.parse(ConfigLoader.layers(file, System.getenv(), flags, def));
 * }</pre>
 */
public final class ConfigDef {
  /** Value types; PASSWORD values are redacted from toString() and logs. */
  public enum Type {
    STRING,
    INT,
    LONG,
    DOUBLE,
    BOOLEAN,
    LIST,
    PASSWORD
  }

  /** One key. A null default means the key is required. */
  public record Key(String name, Type type, Object defaultValue, Validator validator, String doc) {}

  /**
   * Checks a parsed value; throws {@link ConfigException} naming key, value and what is allowed.
   */
  @FunctionalInterface
  public interface Validator {
    void check(String key, Object value);
  }

  /** Marks a key that has no default: it must be set. */
  public static final Object REQUIRED = new Object();

  private final Map<String, Key> keys = new LinkedHashMap<>();
  private final List<String> passThroughPrefixes = new ArrayList<>();
  private final Set<String> kafkaPrefixes = new LinkedHashSet<>();

  public ConfigDef define(String name, Type type, Object defaultValue, Validator v, String doc) {
    if (keys.containsKey(name)) {
      throw new IllegalArgumentException("configuration key defined twice: " + name);
    }
    keys.put(name, new Key(name, type, defaultValue, v, doc));
    return this;
  }

  public ConfigDef define(String name, Type type, Object defaultValue, String doc) {
    return define(name, type, defaultValue, null, doc);
  }

  /** Adds every key of another definition (shared keys such as the Kafka bootstrap servers). */
  public ConfigDef include(ConfigDef other) {
    other
        .keys
        .values()
        .forEach(k -> define(k.name(), k.type(), k.defaultValue(), k.validator(), k.doc()));
    other.passThroughPrefixes.forEach(this::allowPrefix);
    kafkaPrefixes.addAll(other.kafkaPrefixes);
    return this;
  }

  /**
   * Allows undeclared keys under a prefix, passed through as strings (for example {@code
   * sluice.kafka.producer.} overrides handed to the Kafka client).
   */
  public ConfigDef allowPrefix(String prefix) {
    if (!passThroughPrefixes.contains(prefix)) {
      passThroughPrefixes.add(prefix);
    }
    return this;
  }

  /**
   * Allows undeclared Kafka client properties under a prefix, as {@link #allowPrefix}, and reads
   * them from the environment too: Kafka property names use dots, so under such a prefix {@code _}
   * in the variable is {@code .} in the key ({@code SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL} is
   * {@code sluice.kafka.client.security.protocol}).
   */
  public ConfigDef allowKafkaPrefix(String prefix) {
    allowPrefix(prefix);
    kafkaPrefixes.add(prefix);
    return this;
  }

  /**
   * The key an environment variable sets under a Kafka pass-through prefix, or null. The longest
   * matching prefix wins; declared keys are matched before this is asked.
   */
  String kafkaKeyOfEnv(String variable) {
    String best = null;
    for (String prefix : kafkaPrefixes) {
      String envPrefix = envName(prefix);
      if (variable.startsWith(envPrefix)
          && variable.length() > envPrefix.length()
          && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    if (best == null) {
      return null;
    }
    return best
        + variable.substring(envName(best).length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  public Map<String, Key> keys() {
    return keys;
  }

  boolean isPassThrough(String key) {
    return passThroughPrefixes.stream().anyMatch(key::startsWith);
  }

  /** The environment variable of a key: {@code sluice.a.b-c} is {@code SLUICE_A_B_C}. */
  public static String envName(String key) {
    return key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * Parses and validates raw values; unknown keys, missing required keys and bad values stop with a
   * message naming the key, the value and what is allowed.
   */
  public SluiceConfig parse(Map<String, String> raw) {
    Set<String> unknown = new TreeSet<>();
    for (String k : raw.keySet()) {
      if (!keys.containsKey(k) && !isPassThrough(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException(
          "Unknown configuration key(s) " + unknown + "; known keys: " + keys.keySet());
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Key k : keys.values()) {
      String text = raw.get(k.name());
      Object value;
      if (text == null) {
        if (k.defaultValue() == REQUIRED) {
          throw new ConfigException(
              "Missing required configuration '"
                  + k.name()
                  + "' (environment "
                  + envName(k.name())
                  + "): "
                  + k.doc());
        }
        value = k.defaultValue();
      } else {
        value = convert(k, text.trim());
      }
      if (value != null && k.validator() != null) {
        k.validator().check(k.name(), value);
      }
      values.put(k.name(), value);
    }
    Map<String, String> extra = new LinkedHashMap<>();
    raw.forEach(
        (k, v) -> {
          if (!keys.containsKey(k)) {
            extra.put(k, v);
          }
        });
    return new SluiceConfig(this, values, extra);
  }

  private static Object convert(Key k, String text) {
    try {
      switch (k.type()) {
        case INT:
          return Integer.parseInt(text);
        case LONG:
          return Long.parseLong(text);
        case DOUBLE:
          return Double.parseDouble(text);
        case BOOLEAN:
          if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException();
          }
          return Boolean.parseBoolean(text);
        case LIST:
          return text.isEmpty()
              ? List.of()
              : Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        case STRING:
        case PASSWORD:
        default:
          return text;
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          k.name(),
          k.type() == Type.PASSWORD ? "[redacted]" : text,
          "expected " + k.type().name().toLowerCase(Locale.ROOT));
    }
  }

  /** The reference table of every key, generated from the definitions. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder("| key | environment | type | default | meaning |\n");
    sb.append("| --- | --- | --- | --- | --- |\n");
    for (Key k : keys.values()) {
      Object d = k.defaultValue();
      String def =
          d == REQUIRED
              ? "(required)"
              : d == null ? "" : k.type() == Type.PASSWORD ? "***" : d.toString();
      sb.append("| `")
          .append(k.name())
          .append("` | `")
          .append(envName(k.name()))
          .append("` | ")
          .append(k.type().name().toLowerCase(Locale.ROOT))
          .append(" | ")
          .append(def.isEmpty() ? "" : "`" + def + "`")
          .append(" | ")
          .append(k.doc())
          .append(" |\n");
    }
    return sb.toString();
  }
}
