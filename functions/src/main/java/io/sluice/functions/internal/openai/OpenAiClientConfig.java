package io.sluice.functions.internal.openai;

import java.time.Duration;

/**
 * Settings of an {@link OpenAiClient}.
 *
 * @param baseUrl e.g. {@code http://localhost:8000} (the {@code /v1/...} paths are appended)
 * @param apiKey sent as {@code Authorization: Bearer}; empty for none
 * @param model the {@code model} field of every call
 * @param concurrency the most calls in flight; sizes OkHttp's dispatcher and connection pool
 * @param connectTimeout TCP connect timeout
 * @param readTimeout longest silence while reading a response (per read, so streams may run long)
 * @param writeTimeout longest stall while writing a request
 * @param callTimeout whole-call bound for non-streaming calls (a call's deadline may shorten it)
 *     <p>There is no retry setting: a client call is one attempt, and the worker's per-item retry
 *     is the one retry layer (so a failing item costs {@code sluice.worker.retry.max-attempts}
 *     calls).
 */
public record OpenAiClientConfig(
    String baseUrl,
    String apiKey,
    String model,
    int concurrency,
    Duration connectTimeout,
    Duration readTimeout,
    Duration writeTimeout,
    Duration callTimeout) {

  public OpenAiClientConfig {
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("baseUrl must be set");
    }
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    apiKey = apiKey == null ? "" : apiKey;
    model = model == null ? "" : model;
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1");
    }
  }

  /** Defaults suited to a vLLM sidecar: 2 s connect, 60 s read, 10 s write, 120 s call. */
  public static OpenAiClientConfig defaults(String baseUrl, String model, int concurrency) {
    return new OpenAiClientConfig(
        baseUrl,
        "",
        model,
        concurrency,
        Duration.ofSeconds(2),
        Duration.ofSeconds(60),
        Duration.ofSeconds(10),
        Duration.ofSeconds(120));
  }

  public OpenAiClientConfig withApiKey(String key) {
    return new OpenAiClientConfig(
        baseUrl, key, model, concurrency, connectTimeout, readTimeout, writeTimeout, callTimeout);
  }

  public OpenAiClientConfig withTimeouts(Duration read, Duration call) {
    return new OpenAiClientConfig(
        baseUrl, apiKey, model, concurrency, connectTimeout, read, writeTimeout, call);
  }

  @Override
  public String toString() {
    return "OpenAiClientConfig[baseUrl="
        + baseUrl
        + ", apiKey="
        + (apiKey.isEmpty() ? "" : "[redacted]")
        + ", model="
        + model
        + ", concurrency="
        + concurrency
        + "]";
  }
}
