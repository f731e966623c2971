package io.sluice.loadtest.scenario;

import io.sluice.loadtest.generator.GeneratorSettings;
import io.sluice.loadtest.generator.RatePhase;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/**
 * The standard scenarios, sized for the dev stack's demo apps ({@code chat}: A/B between {@code
 * chat-a} and {@code chat-b} on the vLLM simulator; {@code sentiment}: a CPU function) on a 2-core
 * machine. Together they schedule 5m20s of load (plus draining), under ten minutes. {@code
 * rateScale} multiplies every rate, to size them for a bigger machine.
 */
public final class Scenarios {
  public static final List<String> NAMES =
      List.of("steady", "burst", "ab-sticky", "priority-mix", "large-payload");

  private static final List<String> CHAT = List.of("chat-a", "chat-b");

  private Scenarios() {}

  public static List<Scenario> standard(double rateScale) {
    return NAMES.stream().map(n -> byName(n, rateScale)).collect(Collectors.toList());
  }

  public static Scenario byName(String name, double rateScale) {
    DoubleFunction<Double> r = rate -> rate * rateScale;
    Duration s10 = Duration.ofSeconds(10);
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "steady" ->
          new Scenario(
              "steady",
              "Steady load on one app (sentiment, CPU function): the latency floor and the rate"
                  + " held.",
              GeneratorSettings.steady("sentiment", r.apply(50), Duration.ofSeconds(50), s10),
              List.of("sentiment"));
      case "burst" ->
          new Scenario(
              "burst",
              "A 10x burst on chat that builds consumer-group lag so the dev stack scales the chat"
                  + " workers; replicas and lag are sampled each second.",
              GeneratorSettings.steady("chat", r.apply(5), Duration.ofSeconds(70), s10)
                  .withPhases(
                      List.of(
                          new RatePhase("base", Duration.ofSeconds(20), r.apply(5)),
                          new RatePhase("burst", Duration.ofSeconds(20), r.apply(50)),
                          new RatePhase("cool-down", Duration.ofSeconds(40), r.apply(5)))),
              CHAT);
      case "ab-sticky" ->
          new Scenario(
              "ab-sticky",
              "The chat A/B split with sticky keys: 200 recurring users; the split per variant is"
                  + " read from the replies' variant field, and every user must stay on one.",
              GeneratorSettings.steady("chat", r.apply(20), Duration.ofSeconds(50), s10)
                  .withKeys("fixed:200"),
              CHAT);
      case "priority-mix" ->
          new Scenario(
              "priority-mix",
              "Interactive and bulk requests mixed half and half on chat: interactive latency"
                  + " should not suffer from the bulk half.",
              GeneratorSettings.steady("chat", r.apply(20), Duration.ofSeconds(50), s10)
                  .withBulkFraction(0.5),
              CHAT);
      case "large-payload" ->
          new Scenario(
              "large-payload",
              "64 KiB inputs on sentiment: serialization and broker cost of big records.",
              GeneratorSettings.steady("sentiment", r.apply(10), Duration.ofSeconds(50), s10)
                  .withPayloadBytes(64 * 1024),
              List.of("sentiment"));
      default ->
          throw new IllegalArgumentException(
              "--scenario '" + name + "' is not known: use one of " + NAMES + " or standard");
    };
  }

  /** Settings as a flat map for the report. */
  public static Map<String, Object> describe(GeneratorSettings s) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("app", s.app());
    m.put(
        "phases",
        s.phases().stream()
            .map(
                p ->
                    p.label()
                        + " "
                        + p.duration().toSeconds()
                        + "s @ "
                        + String.format(Locale.ROOT, "%.1f", p.ratePerSecond())
                        + "/s")
            .collect(Collectors.joining(", ")));
    m.put("warmup", s.warmup().toSeconds() + "s");
    m.put("payloadBytes", s.payloadBytes());
    m.put("keys", s.keys());
    m.put("concurrencyLimit", s.concurrencyLimit());
    m.put("bulkFraction", s.bulkFraction());
    m.put("input", s.inputKind().name().toLowerCase(Locale.ROOT));
    m.put("requestTimeout", s.requestTimeout().toMillis() + "ms");
    m.put("drainTimeout", s.drainTimeout().toMillis() + "ms");
    m.put("lateThreshold", s.lateThreshold().toMillis() + "ms");
    m.put("seed", s.seed());
    return m;
  }
}
