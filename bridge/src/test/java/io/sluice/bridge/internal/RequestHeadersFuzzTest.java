package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.bridge.BridgeConfig;
import io.vertx.core.MultiMap;
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
  private static final CallOptions OPTIONS = new CallOptions(CONFIG);
  private static final ParsedCall CALL =
      new ParsedCall("fuzz", new Object(), false, null, null, Map.of());

  @FuzzTest(maxDuration = "15s")
  void headersGiveAUsableTimeoutOrAnApiError(FuzzedDataProvider data) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String name :
        new String[] {
          CallHeaders.TIMEOUT,
          CallHeaders.PREFER,
          CallHeaders.STAINLESS_TIMEOUT,
          CallHeaders.PRIORITY
        }) {
      if (data.consumeBoolean()) {
        headers.add(name, data.consumeString(64));
      }
    }
    if (data.consumeBoolean()) {
      headers.add("Prefer", "wait=" + data.consumeLong());
    }
    try {
      // Every header is parsed (and bounded) once, then the timeout is derived from them.
      CallHeaders parsed = CallHeaders.parse(headers);
      long timeout = OPTIONS.timeoutOf(parsed, CALL);
      assertThat(timeout)
          .as("timeout derived from %s", headers.entries())
          .isBetween(1L, CONFIG.maxTimeoutMs());
    } catch (ApiError e) {
      assertThat(e.status()).as("status of %s", e.getMessage()).isBetween(400, 499);
      assertThat(e.code()).isNotBlank();
    }
  }
}
