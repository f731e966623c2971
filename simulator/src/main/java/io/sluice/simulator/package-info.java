/**
 * A vLLM stand-in for the dev stack, tests and benchmarks: vLLM's OpenAI-compatible HTTP API
 * ({@code /v1/completions}, {@code /v1/chat/completions} with SSE streaming, {@code /health},
 * {@code /metrics}) on Vert.x, with deterministic echo output and latency from a batching {@link
 * io.sluice.simulator.CostModel}. Run it with {@code sluice simulator} ({@link
 * io.sluice.simulator.SimulatorCommand}) or in-process:
 *
 * <pre>{@code
 * try (SimulatorServer sim = SimulatorServer.start(SimulatorConfig.defaults(0))) {
 *   String backendUrl = sim.baseUrl(); // give it to a worker as sluice.worker.backend-url
 * }
 * }</pre>
 *
 * <p>Its own module (not part of the worker) so that a worker does not carry Vert.x.
 */
package io.sluice.simulator;
