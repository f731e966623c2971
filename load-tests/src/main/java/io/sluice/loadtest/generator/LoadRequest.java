package io.sluice.loadtest.generator;

import io.sluice.avro.Priority;

/**
 * One request of a run, as the generator hands it to a {@link Target}.
 *
 * @param seq position in the schedule, from 0
 * @param requestId unique id; replies are matched by it
 * @param app the app called
 * @param key the stickiness key, or null
 * @param priority interactive or bulk
 * @param inputKind chat, prompt or JSON
 * @param text the payload text (shared between requests; its size is the payload size)
 * @param intendedNanos when the schedule meant to send it ({@link NanoClock} time); latency is
 *     measured from here
 * @param warmup sent during the warm-up, so left out of the results
 */
public record LoadRequest(
    long seq,
    String requestId,
    String app,
    String key,
    Priority priority,
    InputKind inputKind,
    String text,
    long intendedNanos,
    boolean warmup) {}
