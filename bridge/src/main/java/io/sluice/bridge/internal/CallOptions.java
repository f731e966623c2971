package io.sluice.bridge.internal;

import io.sluice.avro.Priority;
import io.sluice.bridge.ApiKeys;
import io.sluice.bridge.ApiKeys.Principal;
import io.sluice.bridge.BridgeConfig;
import io.vertx.core.http.HttpServerRequest;

/**
 * What a call's headers and body decide beside its input: who calls ({@code Authorization}), how
 * long it waits and with which priority. The headers themselves are parsed by {@link CallHeaders};
 * this class applies the configuration (auth, default and cap of the timeout).
 */
final class CallOptions {
  private final BridgeConfig config;

  CallOptions(BridgeConfig config) {
    this.config = config;
  }

  /** The caller's API key; anonymous when auth is off, else 401 without a known key. */
  Principal principal(HttpServerRequest request) {
    if (!config.authEnabled()) {
      return ApiKeys.ANONYMOUS;
    }
    String h = request.getHeader("Authorization");
    String key = null;
    if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      key = h.substring(7).trim();
    }
    return config
        .apiKeys()
        .lookup(key)
        .orElseThrow(
            () ->
                new ApiError(
                    401,
                    ApiError.UNAUTHORIZED,
                    h == null
                        ? "Missing API key: send 'Authorization: Bearer <key>'."
                        : "Invalid API key.",
                    null,
                    null,
                    null));
  }

  /**
   * The client's timeout, capped: {@code timeout_ms} in the body, else {@code Sluice-Timeout-Ms},
   * else {@code Prefer: wait=N}, else OpenAI SDKs' {@code X-Stainless-Timeout} (seconds), else the
   * default. It becomes the request's deadline.
   */
  long timeoutOf(CallHeaders h, ParsedCall call) {
    long t = config.defaultTimeoutMs();
    if (call.timeoutMs() != null) {
      t = call.timeoutMs();
    } else if (h.timeoutMs() != null) {
      t = h.timeoutMs();
    } else if (h.waitSeconds() != null && h.waitSeconds() > 0) {
      t = h.waitSeconds() * 1000; // at most 10^12 s: cannot overflow
    } else if (h.stainlessTimeoutMs() != null) {
      t = h.stainlessTimeoutMs();
    }
    return Math.max(1, Math.min(t, config.maxTimeoutMs()));
  }

  /** The body's {@code priority}, else {@code Sluice-Priority}, else interactive. */
  static Priority priorityOf(CallHeaders h, ParsedCall call) {
    if (call.priority() != null) {
      return call.priority();
    }
    return h.priority() == null ? Priority.INTERACTIVE : h.priority();
  }
}
