package io.sluice.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the bridge's JSON request parsing, the code every HTTP caller's body
 * reaches: {@code POST /v1/apps/{app}/infer}, {@code /v1/chat/completions} and {@code
 * /v1/completions}. For any body, parsing either yields a call or throws {@link ApiError} with a
 * 4xx status and a stable code — nothing else escapes (an escaping exception is a 500 {@code
 * internal} for the caller).
 *
 * <p>Input layout: byte 0 picks the route, the rest is the body as the HTTP layer hands it over
 * (UTF-8 text). Seeds: {@code RequestBodyFuzzTestInputs/} in the test resources; see
 * docs/FUZZING.md.
 */
class RequestBodyFuzzTest {
  @FuzzTest(maxDuration = "15s")
  void parsesOrAnswersWithAnApiError(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int route = (input[0] & 0xff) % 3;
    String body = new String(Arrays.copyOfRange(input, 1, input.length), StandardCharsets.UTF_8);
    try {
      JsonNode json = RequestMapper.parseObject(body);
      ParsedCall call =
          switch (route) {
            case 0 -> RequestMapper.infer("fuzz", json);
            case 1 -> OpenAiRequests.chat(json);
            default -> OpenAiRequests.completion(json);
          };
      assertThat(call.app()).isNotBlank();
      assertThat(call.input()).isNotNull();
      if (call.timeoutMs() != null) {
        assertThat(call.timeoutMs()).as("timeout_ms accepted").isPositive();
      }
    } catch (ApiError e) {
      assertThat(e.status()).as("status of %s", e.getMessage()).isBetween(400, 499);
      assertThat(e.code()).isNotBlank();
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
