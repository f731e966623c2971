package io.sluice.loadtest.generator;

import io.sluice.avro.Priority;
import java.util.SplittableRandom;

/** Builds the requests of a run: ids, keys and priorities from a seeded random source. */
final class RequestFactory {
  private final GeneratorSettings settings;
  private final String runId;
  private final KeyDistribution keys;
  private final SplittableRandom random;
  private final String text;

  RequestFactory(GeneratorSettings settings, String runId) {
    this.settings = settings;
    this.runId = runId;
    this.keys = KeyDistribution.parse(settings.keys());
    this.random = new SplittableRandom(settings.seed());
    this.text = Payloads.text(settings.payloadBytes());
  }

  LoadRequest create(long seq, long intendedNanos, boolean warmup) {
    String key = keys.next(random);
    Priority priority =
        random.nextDouble() < settings.bulkFraction() ? Priority.BULK : Priority.INTERACTIVE;
    return new LoadRequest(
        seq,
        runId + "-" + seq,
        settings.app(),
        key,
        priority,
        settings.inputKind(),
        text,
        intendedNanos,
        warmup);
  }
}
