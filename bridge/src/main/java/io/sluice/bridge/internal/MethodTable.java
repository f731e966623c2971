package io.sluice.bridge.internal;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The bridge's paths and the methods each takes, so that a known path with another method is 405
 * with {@code Allow} (RFC 9110) and only an unknown path is 404. Keep in step with {@link
 * HttpApi#router()}.
 */
final class MethodTable {
  private record Entry(Pattern path, String shape, String allow) {}

  private static final String SEGMENT = "[^/]+";

  private static final List<Entry> ENTRIES =
      List.of(
          entry("/healthz", "/healthz", "GET"),
          entry("/readyz", "/readyz", "GET"),
          entry("/metrics", "/metrics", "GET"),
          entry("/v1/apps/" + SEGMENT + "/infer", "/v1/apps/{app}/infer", "POST"),
          entry("/v1/chat/completions", "/v1/chat/completions", "POST"),
          entry("/v1/completions", "/v1/completions", "POST"),
          entry("/v1/embeddings", "/v1/embeddings", "POST"),
          entry("/v1/requests/" + SEGMENT, "/v1/requests/{id}", "GET"),
          entry("/v1/models", "/v1/models", "GET"),
          entry("/v1/models/" + SEGMENT, "/v1/models/{model}", "GET"),
          entry("/v1/files", "/v1/files", "GET, POST"),
          entry("/v1/files/" + SEGMENT, "/v1/files/{id}", "GET, DELETE"),
          entry("/v1/files/" + SEGMENT + "/content", "/v1/files/{id}/content", "GET"),
          entry("/v1/batches", "/v1/batches", "GET, POST"),
          entry("/v1/batches/" + SEGMENT, "/v1/batches/{id}", "GET"),
          entry("/v1/batches/" + SEGMENT + "/cancel", "/v1/batches/{id}/cancel", "POST"));

  private MethodTable() {}

  private static Entry entry(String regex, String shape, String allow) {
    return new Entry(Pattern.compile(regex + "/?"), shape, allow);
  }

  /** The {@code Allow} value of a known path, or null for an unknown one. */
  static String allowed(String path) {
    for (Entry e : ENTRIES) {
      if (e.path().matcher(path).matches()) {
        return e.allow();
      }
    }
    return null;
  }

  /** The route's shape ({@code /v1/apps/{app}/infer}), so no client text is echoed. */
  static String shape(String path) {
    for (Entry e : ENTRIES) {
      if (e.path().matcher(path).matches()) {
        return e.shape();
      }
    }
    return clip(path);
  }

  static String clip(String path) {
    return path.length() > 100 ? path.substring(0, 100) + "..." : path;
  }
}
