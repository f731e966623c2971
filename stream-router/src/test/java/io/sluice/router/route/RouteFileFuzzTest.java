package io.sluice.router.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.RouteConfig;
import io.sluice.router.batch.BatchLimits;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Coverage-guided fuzzing of route files, the YAML/JSON that {@code sluice routes set} reads and
 * the router trusts. For any text, {@link RouteFiles#parse} either returns a config or throws
 * {@link InvalidRouteException} — nothing else. A config it returns must pass {@link
 * RouteValidator}, compile, and route: every stickiness key picks one of its variants, and its
 * batching limits can be built.
 *
 * <p>The input is the file's bytes (UTF-8). Seeds: {@code RouteFileFuzzTestInputs/} in the test
 * resources, valid and near-valid route files; see docs/FUZZING.md.
 */
class RouteFileFuzzTest {
  private static final BatchLimits DEFAULTS =
      BatchLimits.of(io.sluice.avro.BatchingSettings.newBuilder().build());

  @FuzzTest(maxDuration = "15s")
  void parsesOrThrowsInvalidRouteException(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    RouteConfig config;
    try {
      config = RouteFiles.parse(text, 0L);
    } catch (InvalidRouteException e) {
      assertThat(e.problems()).isNotEmpty();
      return;
    }
    assertThat(RouteValidator.problems(config)).as("problems of an accepted file").isEmpty();
    CompiledRoute route = CompiledRoute.compile(config);
    InferenceRequest request =
        InferenceRequest.newBuilder()
            .setRequestId("r-1")
            .setApp(config.getApp())
            .setAttributes(
                Map.of(
                    config.getStickinessAttribute() == null
                        ? "user"
                        : config.getStickinessAttribute(),
                    "u"))
            .build();
    for (byte[] key :
        new byte[][] {null, new byte[0], input, "user-1".getBytes(StandardCharsets.UTF_8)}) {
      byte[] sticky = route.stickyKey(key, request);
      assertThat(config.getVariants()).contains(route.pick(sticky));
      assertThat(route.shadowsFor(sticky)).isSubsetOf(config.getShadows());
    }
    config
        .getBatching()
        .keySet()
        .forEach(d -> assertThat(route.limitsFor(d, DEFAULTS)).isNotNull());
  }
}
