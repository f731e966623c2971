package io.sluice.router;

import static io.sluice.router.Fixtures.batching;
import static io.sluice.router.Fixtures.route;
import static io.sluice.router.Fixtures.variant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.Shadow;
import io.sluice.avro.Stickiness;
import io.sluice.router.route.CompiledRoute;
import io.sluice.router.route.InvalidRouteException;
import io.sluice.router.route.RouteValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteValidatorTest {
  @Test
  void aValidConfigHasNoProblems() {
    assertThat(
            RouteValidator.problems(
                route(
                    "chat",
                    List.of(variant("a", "d-a", 90), variant("b", "d-b", 10)),
                    List.of(Shadow.newBuilder().setDeployment("d-s").setPercent(5).build()),
                    Map.of("d-a", batching(4, 20, 4096)))))
        .isEmpty();
  }

  @Test
  void bulkMaxWaitMsMayNotBeBelowMaxWaitMsNorAboveAMinute() {
    assertThat(RouteValidator.problems(bulk(20, 20L))).isEmpty();
    assertThat(RouteValidator.problems(bulk(0, 0L))).isEmpty();
    assertThat(RouteValidator.problems(bulk(20, null))).isEmpty();
    assertThat(RouteValidator.problems(bulk(20, 10L)))
        .containsExactly(
            "batching.d-a.bulkMaxWaitMs: 10 is less than maxWaitMs (20): BULK batches may not"
                + " flush sooner than interactive ones; use at least 20, or leave it out for the"
                + " larger of maxWaitMs and 100");
    assertThat(RouteValidator.problems(bulk(20, 60_001L)))
        .containsExactly("batching.d-a.bulkMaxWaitMs: 60001 is outside 0..60000");
    assertThat(RouteValidator.problems(bulk(0, -1L)))
        .containsExactly("batching.d-a.bulkMaxWaitMs: -1 is outside 0..60000");
  }

  private static io.sluice.avro.RouteConfig bulk(long maxWaitMs, Long bulkMaxWaitMs) {
    return route(
        "chat",
        List.of(variant("a", "d-a", 1)),
        List.of(),
        Map.of(
            "d-a",
            io.sluice.avro.BatchingSettings.newBuilder(batching(4, maxWaitMs, null))
                .setBulkMaxWaitMs(bulkMaxWaitMs)
                .build()));
  }

  @Test
  void eachProblemIsNamed() {
    assertThat(RouteValidator.problems(route("chat", List.of())))
        .containsExactly("variants: at least one variant is required");
    assertThat(RouteValidator.problems(route("chat", List.of(variant("a", "d-a", -2)))))
        .containsExactly("variants[0].weight: -2.0 is negative");
    assertThat(RouteValidator.problems(route("chat", List.of(variant("a", "d-a", 0)))))
        .containsExactly("variants: the weights add up to 0; at least one must be positive");
    assertThat(
            RouteValidator.problems(
                route(
                    "chat",
                    List.of(variant("a", "d-a", 1)),
                    List.of(),
                    Map.of("d-a", batching(0, 10, null)))))
        .containsExactly("batching.d-a.maxBatchSize: 0 must be at least 1");
    assertThat(
            RouteValidator.problems(
                route(
                    "chat",
                    List.of(variant("a", "d-a", 1)),
                    List.of(),
                    Map.of("d-x", batching(1, 10, null)))))
        .containsExactly("batching.d-x: deployment 'd-x' is not named by any variant or shadow");
    assertThat(
            RouteValidator.problems(
                route(
                    "chat",
                    List.of(variant("a", "d-a", 1), variant("a", "bad name", 1)),
                    List.of(Shadow.newBuilder().setDeployment("d-s").setPercent(101).build()),
                    Map.of())))
        .hasSize(3)
        .anyMatch(p -> p.startsWith("variants[1].name: 'a' is used twice"))
        .anyMatch(p -> p.startsWith("variants[1].deployment:"))
        .anyMatch(p -> p.startsWith("shadows[0].percent: 101.0"));
    var attr = route("chat", List.of(variant("a", "d-a", 1)));
    attr.setStickiness(Stickiness.ATTRIBUTE);
    assertThat(RouteValidator.problems(attr))
        .containsExactly("stickinessAttribute: required when stickiness is ATTRIBUTE");
  }

  @Test
  void compileRefusesAnInvalidConfigWithEveryProblemInTheMessage() {
    assertThatThrownBy(() -> CompiledRoute.compile(route("chat", List.of())))
        .isInstanceOf(InvalidRouteException.class)
        .hasMessageContaining("app 'chat'")
        .hasMessageContaining("at least one variant");
  }
}
