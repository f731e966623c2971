/**
 * A function worker's public entry points, for running workers from a command line ({@link
 * io.sluice.functions.worker.WorkerCommand}, {@code sluice worker}) or in-process (the dev stack,
 * tests, benchmarks): {@link io.sluice.functions.worker.WorkerApp} (start, close, halt), {@link
 * io.sluice.functions.worker.WorkerConfig} (every key, typed), {@link
 * io.sluice.functions.worker.FunctionRegistry} (functions by name, Sluice's own and a user's from
 * {@code --functions} jars, with {@link io.sluice.functions.worker.FunctionLoadException} when
 * those do not load) and {@link io.sluice.functions.worker.Backoff} (the retry layer's delays).
 *
 * <pre>{@code
 * try (WorkerApp worker = WorkerApp.start(WorkerConfig.of(Map.of(
 *     "sluice.worker.deployment", "sentiment",
 *     "sluice.worker.function", "sentiment",
 *     "sluice.management.port", "-1")))) {
 *   // consumes sluice.batches.sentiment until closed; close() drains in-flight batches
 * }
 * }</pre>
 *
 * <p>The function SPI users implement is {@code io.sluice.functions}; the worker runtime behind
 * these types (the loop, the batch processor, the OpenAI client, the functions themselves) is in
 * {@code io.sluice.functions.internal} and is not API.
 */
package io.sluice.functions.worker;
