package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.bridge.BridgeConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the headers that become a call's timeout and deadline ({@code
 * Sluice-Timeout-Ms}, {@code Prefer: wait=N}, {@code X-Stainless-Timeout}, in that order) and its
 * priority ({@code Sluice-Priority}). For any values, the bridge either refuses the header with an
 * {@link ApiError} (4xx) or derives a timeout in {@code [1, max-timeout-ms]} — the range a timer
 * and a deadline can be built from.
 *
 * <p>Input: a {@link FuzzedDataProvider}; which headers are present and their values. Seeds: {@code
 * RequestHeadersFuzzTestInputs/}; see docs/FUZZING.md.
 */
class RequestHeadersFuzzTest {
  private static final BridgeConfig CONFIG = BridgeConfig.defaults();
  // timeoutOf reads the config only; the other collaborators serve calls, not headers.
  private static final HttpApi API =
      new HttpApi(
          null,
          CONFIG,
          null,
          null,
          null,
          null,
          null,
          new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
          Map::of);
  private static final ParsedCall CALL =
      new ParsedCall("fuzz", new Object(), false, null, null, Map.of());

  @FuzzTest(maxDuration = "15s")
  void headersGiveAUsableTimeoutOrAnApiError(FuzzedDataProvider data) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String name :
        new String[] {
          HttpApi.TIMEOUT_HEADER, "Prefer", "X-Stainless-Timeout", HttpApi.PRIORITY_HEADER
        }) {
      if (data.consumeBoolean()) {
        headers.add(name, data.consumeString(64));
      }
    }
    if (data.consumeBoolean()) {
      headers.add("Prefer", "wait=" + data.consumeLong());
    }
    RoutingContext ctx = contextWith(headers);
    try {
      long timeout = API.timeoutOf(ctx, CALL);
      assertThat(timeout)
          .as("timeout derived from %s", headers.entries())
          .isBetween(1L, CONFIG.maxTimeoutMs());
      String priority = headers.get(HttpApi.PRIORITY_HEADER);
      if (priority != null) {
        RequestMapper.priority(
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode(priority),
            HttpApi.PRIORITY_HEADER);
      }
    } catch (ApiError e) {
      assertThat(e.status()).as("status of %s", e.getMessage()).isBetween(400, 499);
      assertThat(e.code()).isNotBlank();
    }
  }

  /** A routing context that has nothing but request headers. */
  private static RoutingContext contextWith(MultiMap headers) {
    HttpServerRequest request =
        (HttpServerRequest)
            Proxy.newProxyInstance(
                RequestHeadersFuzzTest.class.getClassLoader(),
                new Class<?>[] {HttpServerRequest.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "headers" -> headers;
                      case "getHeader" -> headers.get(args[0].toString());
                      default ->
                          throw new UnsupportedOperationException(
                              "the fuzz test's request has no " + method.getName());
                    });
    return (RoutingContext)
        Proxy.newProxyInstance(
            RequestHeadersFuzzTest.class.getClassLoader(),
            new Class<?>[] {RoutingContext.class},
            (proxy, method, args) -> {
              if (method.getName().equals("request")) {
                return request;
              }
              throw new UnsupportedOperationException(
                  "the fuzz test's context has no " + method.getName());
            });
  }
}
