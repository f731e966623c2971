package io.sluice.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Layers raw configuration: file &lt; environment &lt; flags. A file may be {@code .properties},
 * {@code .yaml}/{@code .yml} or {@code .json}; nested YAML/JSON objects are flattened with dots.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /** Parses and validates the layered configuration of a process. */
  public static SluiceConfig load(
      ConfigDef def, Path file, Map<String, String> env, Map<String, String> flags) {
    return def.parse(layers(def, file, env, flags));
  }

  /** The raw layered values, before parsing. */
  public static Map<String, String> layers(
      ConfigDef def, Path file, Map<String, String> env, Map<String, String> flags) {
    Map<String, String> raw = new LinkedHashMap<>();
    if (file != null) {
      raw.putAll(readFile(file));
    }
    Set<String> declared = new HashSet<>();
    for (String key : def.keys().keySet()) {
      declared.add(ConfigDef.envName(key));
      String v = env.get(ConfigDef.envName(key));
      if (v != null) {
        raw.put(key, v);
      }
    }
    // Kafka client properties under a pass-through prefix (sluice.kafka.client. and the per-role
    // ones): SLUICE_KAFKA_CLIENT_SECURITY_PROTOCOL is sluice.kafka.client.security.protocol.
    new TreeMap<>(env)
        .forEach(
            (name, v) -> {
              String key = declared.contains(name) ? null : def.kafkaKeyOfEnv(name);
              if (key != null) {
                raw.put(key, v);
              }
            });
    raw.putAll(flags);
    return raw;
  }

  /** Reads a config file into flat keys. */
  public static Map<String, String> readFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    try {
      if (name.endsWith(".properties")) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
          p.load(r);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
      }
      ObjectMapper mapper =
          name.endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
      Map<String, String> out = new LinkedHashMap<>();
      flatten("", mapper.readTree(file.toFile()), out);
      return out;
    } catch (IOException e) {
      throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage());
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else if (node.isArray()) {
      StringBuilder sb = new StringBuilder();
      node.forEach(n -> sb.append(sb.length() == 0 ? "" : ",").append(n.asText()));
      out.put(prefix, sb.toString());
    } else {
      out.put(prefix, node.asText());
    }
  }
}
