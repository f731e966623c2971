package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.RouteConfig;
import io.sluice.avro.Stickiness;
import io.sluice.router.route.InvalidRouteException;
import io.sluice.router.route.RouteFiles;
import org.junit.jupiter.api.Test;

class RouteFilesTest {
  @Test
  void readsYaml() {
    RouteConfig c =
        RouteFiles.parse(
            """
            app: chat
            variants:
              - {name: a, deployment: llama-8b, weight: 90}
              - {name: b, deployment: llama-70b, weight: 10}
            shadows:
              - {deployment: llama-next, percent: 5}
            stickiness: attribute
            stickinessAttribute: user
            batching:
              llama-8b: {maxBatchSize: 16, maxWaitMs: 20, maxBatchTokens: 8192, bulkMaxWaitMs: 250}
              llama-70b: {maxWaitMs: 20}
            """,
            42);
    assertThat(c.getApp()).isEqualTo("chat");
    assertThat(c.getVariants()).hasSize(2);
    assertThat(c.getVariants().get(1).getWeight()).isEqualTo(10.0);
    assertThat(c.getShadows().get(0).getPercent()).isEqualTo(5.0);
    assertThat(c.getStickiness()).isEqualTo(Stickiness.ATTRIBUTE);
    assertThat(c.getSalt()).isEqualTo("chat");
    assertThat(c.getBatching().get("llama-8b").getMaxBatchTokens()).isEqualTo(8192);
    assertThat(c.getBatching().get("llama-8b").getBulkMaxWaitMs()).isEqualTo(250L);
    assertThat(c.getBatching().get("llama-70b").getBulkMaxWaitMs())
        .as("left out: null, the router's default rule")
        .isNull();
    assertThat(c.getUpdatedAtMs().toEpochMilli()).isEqualTo(42);
  }

  @Test
  void readsJson() {
    RouteConfig c =
        RouteFiles.parse(
            "{\"app\":\"chat\",\"variants\":[{\"deployment\":\"d\"}],\"salt\":\"s1\"}", 0);
    assertThat(c.getVariants().get(0).getName()).isEqualTo("d");
    assertThat(c.getVariants().get(0).getWeight()).isEqualTo(1.0);
    assertThat(c.getSalt()).isEqualTo("s1");
  }

  @Test
  void anEmptyVariantOrShadowEntryIsAnInvalidRouteNotANullPointer() {
    // Found by RouteFileFuzzTest: `variants: [~]` escaped as NullPointerException.
    assertThatThrownBy(() -> RouteFiles.parse("app: chat\nvariants: [~]\n", 0))
        .isInstanceOf(InvalidRouteException.class)
        .hasMessageContaining("variants[0]: an entry is empty");
    assertThatThrownBy(
            () -> RouteFiles.parse("app: chat\nvariants: [{deployment: d}]\nshadows: [null]\n", 0))
        .isInstanceOf(InvalidRouteException.class)
        .hasMessageContaining("shadows[0]: an entry is empty");
  }

  @Test
  void rejectsWithAMessageNamingTheProblem() {
    assertThatThrownBy(
            () -> RouteFiles.parse("app: chat\nvariants:\n  - {deployment: d, wieght: 3}\n", 0))
        .isInstanceOf(InvalidRouteException.class)
        .hasMessageContaining("variants[0]: unknown field 'wieght'");
    assertThatThrownBy(() -> RouteFiles.parse("app: chat\nvariants: []\n", 0))
        .hasMessageContaining("variants: at least one variant is required");
    assertThatThrownBy(
            () ->
                RouteFiles.parse(
                    "app: chat\nvariants: [{deployment: d}]\nbatching: {d: {maxBatchSize: 0}}\n",
                    0))
        .hasMessageContaining("batching.d.maxBatchSize: 0 must be at least 1");
    assertThatThrownBy(
            () ->
                RouteFiles.parse(
                    """
                    app: chat
                    variants: [{deployment: d}]
                    batching: {d: {maxWaitMs: 20, bulkMaxWaitMs: 5}}
                    """,
                    0))
        .hasMessageContaining("batching.d.bulkMaxWaitMs: 5 is less than maxWaitMs (20)");
    assertThatThrownBy(
            () -> RouteFiles.parse("app: chat\nvariants: [{deployment: d, weight: -1}]\n", 0))
        .hasMessageContaining("variants[0].weight: -1.0 is negative");
    assertThatThrownBy(
            () -> RouteFiles.parse("app: chat\nvariants: [{deployment: d}]\nstickiness: ip\n", 0))
        .hasMessageContaining("stickiness: 'ip' is not one of");
  }
}
