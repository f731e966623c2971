package io.sluice.router;

import static io.sluice.router.Fixtures.route;
import static io.sluice.router.Fixtures.variant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.avro.Shadow;
import io.sluice.router.route.CompiledRoute;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StickySplitTest {
  private static final int KEYS = 100_000;

  private static byte[] key(int i) {
    return ("user-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Integer> split(CompiledRoute route) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      counts.merge(route.pick(key(i)).getName(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void fractionsAreWithinOnePointOfTheWeightsOverOneHundredThousandKeys() {
    CompiledRoute route =
        CompiledRoute.compile(
            route(
                "chat",
                List.of(
                    variant("a", "d-a", 50), variant("b", "d-b", 30), variant("c", "d-c", 20))));
    Map<String, Integer> counts = split(route);
    System.out.println("observed split over " + KEYS + " keys (weights 50/30/20): " + counts);
    assertThat(counts.get("a") / (double) KEYS).isCloseTo(0.50, within(0.01));
    assertThat(counts.get("b") / (double) KEYS).isCloseTo(0.30, within(0.01));
    assertThat(counts.get("c") / (double) KEYS).isCloseTo(0.20, within(0.01));
  }

  @Test
  void aRecordWithoutAKeyIsSplitByItsRequestIdAsIfTheIdWereTheKey() {
    // The bridge writes a request that names no user without a record key: it must land on the
    // variant its request id picks, as when the bridge keyed it by the id.
    CompiledRoute route =
        CompiledRoute.compile(
            route("chat", List.of(variant("a", "d-a", 1), variant("b", "d-b", 1))));
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 1_000; i++) {
      var request = Fixtures.request("chat", "req-" + i);
      byte[] idKey = ("req-" + i).getBytes(StandardCharsets.UTF_8);
      assertThat(route.stickyKey(null, request)).isEqualTo(idKey);
      String variant = route.pick(route.stickyKey(null, request)).getName();
      assertThat(variant).isEqualTo(route.pick(route.stickyKey(idKey, request)).getName());
      seen.merge(variant, 1, Integer::sum);
    }
    // and such requests still spread over both variants
    assertThat(seen.get("a") / 1_000.0).isCloseTo(0.5, within(0.06));
  }

  @Test
  void theSameKeyAlwaysGetsTheSameVariantAndTheSaltReshuffles() {
    CompiledRoute one =
        CompiledRoute.compile(
            route("chat", List.of(variant("a", "d-a", 1), variant("b", "d-b", 1))));
    CompiledRoute again =
        CompiledRoute.compile(
            route("chat", List.of(variant("a", "d-a", 1), variant("b", "d-b", 1))));
    var salted = route("chat", List.of(variant("a", "d-a", 1), variant("b", "d-b", 1)));
    salted.setSalt("another experiment");
    CompiledRoute other = CompiledRoute.compile(salted);
    int differ = 0;
    for (int i = 0; i < 10_000; i++) {
      assertThat(one.pick(key(i)).getName()).isEqualTo(again.pick(key(i)).getName());
      if (!one.pick(key(i)).getName().equals(other.pick(key(i)).getName())) {
        differ++;
      }
    }
    assertThat(differ / 10_000.0).isCloseTo(0.5, within(0.03));
  }

  @Test
  void changingTheWeightsMovesOnlyTheShareTheChangeRequires() {
    CompiledRoute before =
        CompiledRoute.compile(
            route("chat", List.of(variant("a", "d-a", 50), variant("b", "d-b", 50))));
    CompiledRoute after =
        CompiledRoute.compile(
            route("chat", List.of(variant("a", "d-a", 60), variant("b", "d-b", 40))));
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      String was = before.pick(key(i)).getName();
      String is = after.pick(key(i)).getName();
      if (!was.equals(is)) {
        moved++;
        assertThat(was + "->" + is).isEqualTo("b->a");
      }
    }
    System.out.println("50/50 -> 60/40 moved " + moved + " of " + KEYS + " keys");
    assertThat(moved / (double) KEYS).isCloseTo(0.10, within(0.01));
  }

  @Test
  void shadowPercentMirrorsThatShareOfKeysStably() {
    var cfg = route("chat", List.of(variant("a", "d-a", 1)));
    cfg.setShadows(List.of(Shadow.newBuilder().setDeployment("d-s").setPercent(25).build()));
    CompiledRoute route = CompiledRoute.compile(cfg);
    int mirrored = 0;
    for (int i = 0; i < KEYS; i++) {
      if (!route.shadowsFor(key(i)).isEmpty()) {
        mirrored++;
      }
    }
    assertThat(mirrored / (double) KEYS).isCloseTo(0.25, within(0.01));
  }
}
