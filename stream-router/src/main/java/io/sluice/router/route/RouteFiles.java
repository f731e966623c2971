package io.sluice.router.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.avro.BatchingSettings;
import io.sluice.avro.RouteConfig;
import io.sluice.avro.Shadow;
import io.sluice.avro.Stickiness;
import io.sluice.avro.Variant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a route file (YAML or JSON) into a validated {@link RouteConfig}. Example:
 *
 * <pre>
 * app: chat
 * variants:
 *   - {name: a, deployment: llama-8b, weight: 90}
 *   - {name: b, deployment: llama-70b, weight: 10}
 * shadows:
 *   - {deployment: llama-next, percent: 5}
 * stickiness: attribute          # record_key (default), request_id or attribute
 * stickinessAttribute: user
 * salt: chat-exp-7
 * batching:
 *   llama-8b: {maxBatchSize: 16, maxWaitMs: 20, maxBatchTokens: 8192, bulkMaxWaitMs: 200}
 * </pre>
 */
public final class RouteFiles {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  record VariantFile(String name, String deployment, Double weight) {}

  record ShadowFile(String deployment, Double percent) {}

  record BatchingFile(
      Integer maxBatchSize, Long maxWaitMs, Integer maxBatchTokens, Long bulkMaxWaitMs) {}

  record RouteFile(
      String app,
      List<VariantFile> variants,
      List<ShadowFile> shadows,
      String stickiness,
      String stickinessAttribute,
      String salt,
      Map<String, BatchingFile> batching,
      String replyTopic) {}

  private RouteFiles() {}

  /** An entry written as {@code ~} or {@code null} (found by fuzzing: it used to escape as NPE). */
  private static void nullEntries(List<?> list, String name, List<String> problems) {
    if (list == null) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        problems.add(name + "[" + i + "]: an entry is empty (null)");
      }
    }
  }

  /**
   * Parses and validates a route file's text (YAML is a superset of JSON, so both are read).
   *
   * @throws InvalidRouteException naming every problem (unknown fields included)
   */
  public static RouteConfig parse(String text, long nowMs) {
    RouteFile f;
    try {
      f = YAML.readValue(text, RouteFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidRouteException(
          "?", List.of(path(e) + ": unknown field '" + e.getPropertyName() + "'"));
    } catch (JsonMappingException e) {
      throw new InvalidRouteException("?", List.of(path(e) + ": " + e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new InvalidRouteException("?", List.of("not YAML or JSON: " + e.getOriginalMessage()));
    }
    if (f == null) {
      throw new InvalidRouteException("?", List.of("the file is empty"));
    }
    List<String> empty = new ArrayList<>();
    nullEntries(f.variants(), "variants", empty);
    nullEntries(f.shadows(), "shadows", empty);
    if (!empty.isEmpty()) {
      throw new InvalidRouteException(f.app() == null ? "?" : f.app(), empty);
    }
    RouteConfig.Builder b =
        RouteConfig.newBuilder()
            .setApp(f.app() == null ? "" : f.app())
            .setSalt(f.salt() == null ? (f.app() == null ? "" : f.app()) : f.salt())
            .setStickinessAttribute(f.stickinessAttribute())
            .setReplyTopic(f.replyTopic())
            .setUpdatedAtMs(Instant.ofEpochMilli(nowMs));
    b.setVariants(
        f.variants() == null
            ? List.of()
            : f.variants().stream()
                .map(
                    v ->
                        Variant.newBuilder()
                            .setName(v.name() == null ? String.valueOf(v.deployment()) : v.name())
                            .setDeployment(v.deployment() == null ? "" : v.deployment())
                            .setWeight(v.weight() == null ? 1.0 : v.weight())
                            .build())
                .toList());
    b.setShadows(
        f.shadows() == null
            ? List.of()
            : f.shadows().stream()
                .map(
                    s ->
                        Shadow.newBuilder()
                            .setDeployment(s.deployment() == null ? "" : s.deployment())
                            .setPercent(s.percent() == null ? 100.0 : s.percent())
                            .build())
                .toList());
    if (f.stickiness() != null) {
      try {
        b.setStickiness(
            Stickiness.valueOf(f.stickiness().trim().replace('-', '_').toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new InvalidRouteException(
            b.getApp(),
            List.of(
                "stickiness: '"
                    + f.stickiness()
                    + "' is not one of record_key, request_id, attribute"));
      }
    }
    Map<String, BatchingSettings> batching = new LinkedHashMap<>();
    if (f.batching() != null) {
      f.batching()
          .forEach(
              (dep, s) -> {
                BatchingSettings.Builder bs = BatchingSettings.newBuilder();
                if (s != null && s.maxBatchSize() != null) {
                  bs.setMaxBatchSize(s.maxBatchSize());
                }
                if (s != null && s.maxWaitMs() != null) {
                  bs.setMaxWaitMs(s.maxWaitMs());
                }
                bs.setMaxBatchTokens(s == null ? null : s.maxBatchTokens());
                // Absent: null in the route table, the router's default rule (BulkWait).
                bs.setBulkMaxWaitMs(s == null ? null : s.bulkMaxWaitMs());
                batching.put(dep, bs.build());
              });
    }
    b.setBatching(batching);
    RouteConfig config = b.build();
    List<String> problems = RouteValidator.problems(config);
    if (!problems.isEmpty()) {
      throw new InvalidRouteException(config.getApp(), problems);
    }
    return config;
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      } else if (r.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      }
    }
    // The unknown field itself is the last element of the path; report where it sits.
    String p = sb.toString();
    if (e instanceof UnrecognizedPropertyException u
        && p.endsWith(u.getPropertyName().toString())) {
      p = p.substring(0, p.length() - u.getPropertyName().toString().length());
      p = p.endsWith(".") ? p.substring(0, p.length() - 1) : p;
    }
    return p.isEmpty() ? "(top level)" : p;
  }
}
