package io.sluice.functions;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Optional;

/**
 * What a function gets when it opens: its deployment, its settings and the worker's metrics.
 *
 * <p>{@code parameters} are the deployment's {@code sluice.function.*} settings with the prefix
 * removed (for example {@code SLUICE_FUNCTION_SENTENCES=3} arrives as {@code sentences=3}).
 *
 * @param deployment the deployment this worker serves
 * @param backendUrl base URL of the model backend ({@code sluice.worker.backend-url}), e.g. the
 *     vLLM sidecar at {@code http://localhost:8000}
 * @param backendApiKey API key for the backend, or empty
 * @param model the model name to ask the backend for ({@code sluice.worker.model}), or empty
 * @param maxConcurrentBatches how many {@link SluiceFunction#apply} calls may run at once
 * @param parameters function-specific settings
 * @param metrics the worker's meter registry, for the function's own meters
 */
public record FunctionContext(
    String deployment,
    String backendUrl,
    String backendApiKey,
    String model,
    int maxConcurrentBatches,
    Map<String, String> parameters,
    MeterRegistry metrics) {

  public FunctionContext {
    parameters = Map.copyOf(parameters);
  }

  /** A function parameter, if set. */
  public Optional<String> parameter(String name) {
    return Optional.ofNullable(parameters.get(name));
  }

  /** An integer function parameter, or {@code defaultValue}; a malformed value is an error. */
  public int intParameter(String name, int defaultValue) {
    String v = parameters.get(name);
    if (v == null || v.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "function parameter '" + name + "' must be an integer, got '" + v + "'", e);
    }
  }

  @Override
  public String toString() {
    return "FunctionContext[deployment="
        + deployment
        + ", backendUrl="
        + backendUrl
        + ", backendApiKey="
        + (backendApiKey == null || backendApiKey.isEmpty() ? "" : "[redacted]")
        + ", model="
        + model
        + ", maxConcurrentBatches="
        + maxConcurrentBatches
        + ", parameters="
        + parameters.keySet()
        + "]";
  }
}
