package io.sluice.functions.internal.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.functions.internal.FailureClassifier;
import io.sluice.functions.internal.openai.OpenAiTypes.ChatResult;
import io.sluice.functions.internal.openai.OpenAiTypes.Choice;
import io.sluice.functions.internal.openai.OpenAiTypes.CompletionsResult;
import io.sluice.functions.internal.openai.OpenAiTypes.Message;
import io.sluice.functions.internal.openai.OpenAiTypes.Sampling;
import io.sluice.functions.internal.openai.OpenAiTypes.TokenUsage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * A client for vLLM's OpenAI-compatible API over one shared {@link OkHttpClient}.
 *
 * <ul>
 *   <li>{@link #completions}: all prompts of a batch in one {@code /v1/completions} call (vLLM
 *       schedules them together);
 *   <li>{@link #chat}: one {@code /v1/chat/completions} call; a chat batch issues these
 *       concurrently and vLLM batches them continuously;
 *   <li>{@link #streamChat}: the same call with {@code stream: true}, read as server-sent events.
 * </ul>
 *
 * <p>All calls are asynchronous (no thread parked per call) and retry retriable failures (I/O,
 * timeouts, 429, 5xx) with capped, jittered backoff, honouring {@code Retry-After}. Failures
 * complete the future with a {@link BackendException} that says whether it is retriable. Every
 * response body is closed.
 */
public final class OpenAiClient implements AutoCloseable {
  private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OpenAiClientConfig config;
  private final OkHttpClient http;
  private final boolean ownsHttp;

  /** A client with its own {@link OkHttpClient}, sized and timed by {@code config}. */
  public OpenAiClient(OpenAiClientConfig config) {
    this(config, newHttpClient(config), true);
  }

  /**
   * A client on a shared {@link OkHttpClient}; its timeouts are overridden through {@code
   * newBuilder()}, which shares the pool and dispatcher.
   */
  public OpenAiClient(OpenAiClientConfig config, OkHttpClient shared) {
    this(config, withTimeouts(shared.newBuilder(), config).build(), false);
  }

  private OpenAiClient(OpenAiClientConfig config, OkHttpClient http, boolean ownsHttp) {
    this.config = config;
    this.http = http;
    this.ownsHttp = ownsHttp;
  }

  /** An OkHttpClient with every timeout set and dispatcher and pool sized to the concurrency. */
  public static OkHttpClient newHttpClient(OpenAiClientConfig config) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(config.concurrency());
    dispatcher.setMaxRequestsPerHost(config.concurrency());
    return withTimeouts(new OkHttpClient.Builder(), config)
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(config.concurrency(), 5, TimeUnit.MINUTES))
        .retryOnConnectionFailure(false) // retries are ours, classified and bounded
        .build();
  }

  private static OkHttpClient.Builder withTimeouts(
      OkHttpClient.Builder b, OpenAiClientConfig config) {
    return b.connectTimeout(config.connectTimeout())
        .readTimeout(config.readTimeout())
        .writeTimeout(config.writeTimeout())
        .callTimeout(config.callTimeout());
  }

  public OpenAiClientConfig config() {
    return config;
  }

  /** {@code POST /v1/completions} with every prompt in one call; choices come back in order. */
  public CompletableFuture<CompletionsResult> completions(List<String> prompts, Sampling s) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", config.model());
    ArrayNode array = body.putArray("prompt");
    prompts.forEach(array::add);
    putSampling(body, s);
    Request request = post("/v1/completions", body);
    return withRetry(() -> call(request, json -> parseCompletions(json, prompts.size())));
  }

  /** {@code POST /v1/chat/completions}, not streamed. */
  public CompletableFuture<ChatResult> chat(List<Message> messages, Sampling s) {
    Request request = post("/v1/chat/completions", chatBody(messages, s, false));
    return withRetry(() -> call(request, OpenAiClient::parseChat));
  }

  /**
   * {@code POST /v1/chat/completions} with {@code stream: true}: {@code onDelta} receives each
   * content delta as it arrives; the future completes with the whole text at {@code [DONE]}. A
   * failure before the first delta is retried; after it, the future fails (the caller decides).
   */
  public CompletableFuture<ChatResult> streamChat(
      List<Message> messages, Sampling s, Consumer<String> onDelta) {
    Request request = post("/v1/chat/completions", chatBody(messages, s, true));
    AtomicBoolean started = new AtomicBoolean();
    return withRetry(
        () -> stream(request, onDelta, started), e -> !started.get() && isRetriable(e));
  }

  private ObjectNode chatBody(List<Message> messages, Sampling s, boolean stream) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", config.model());
    ArrayNode array = body.putArray("messages");
    for (Message m : messages) {
      ObjectNode n = array.addObject().put("role", m.role()).put("content", m.content());
      if (m.name() != null) {
        n.put("name", m.name());
      }
    }
    putSampling(body, s);
    if (stream) {
      body.put("stream", true);
      body.putObject("stream_options").put("include_usage", true);
    }
    return body;
  }

  private static void putSampling(ObjectNode body, Sampling s) {
    if (s == null) {
      return;
    }
    if (s.maxTokens() != null) {
      body.put("max_tokens", s.maxTokens());
    }
    if (s.temperature() != null) {
      body.put("temperature", s.temperature());
    }
    if (s.topP() != null) {
      body.put("top_p", s.topP());
    }
    if (!s.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop");
      s.stop().forEach(stop::add);
    }
    if (s.seed() != null) {
      body.put("seed", s.seed());
    }
  }

  private Request post(String path, ObjectNode body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode request", e);
    }
    Request.Builder b =
        new Request.Builder()
            .url(config.baseUrl() + path)
            .post(RequestBody.create(bytes, JSON_TYPE));
    if (!config.apiKey().isEmpty()) {
      b.header("Authorization", "Bearer " + config.apiKey());
    }
    return b.build();
  }

  /** One HTTP exchange; the body is closed whatever happens. */
  private <T> CompletableFuture<T> call(Request request, Function<JsonNode, T> parse) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Call call = http.newCall(request);
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            result.completeExceptionally(BackendException.io(e));
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (response) {
              ResponseBody body = response.body();
              String text = body == null ? "" : body.string();
              if (!response.isSuccessful()) {
                result.completeExceptionally(
                    BackendException.forStatus(response.code(), text, retryAfterMs(response)));
                return;
              }
              JsonNode json;
              try {
                json = JSON.readTree(text);
              } catch (JsonProcessingException e) {
                result.completeExceptionally(BackendException.malformed("not JSON", e));
                return;
              }
              result.complete(parse.apply(json));
            } catch (IOException e) {
              result.completeExceptionally(BackendException.io(e));
            } catch (RuntimeException e) {
              result.completeExceptionally(
                  e instanceof BackendException ? e : BackendException.malformed(e.toString(), e));
            }
          }
        });
    result.whenComplete(
        (v, e) -> {
          if (result.isCancelled()) {
            call.cancel();
          }
        });
    return result;
  }

  private CompletableFuture<ChatResult> stream(
      Request request, Consumer<String> onDelta, AtomicBoolean started) {
    CompletableFuture<ChatResult> result = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    String[] finish = new String[1];
    TokenUsage[] usage = new TokenUsage[1];
    // Streams may legitimately run longer than callTimeout; readTimeout bounds each silence.
    OkHttpClient streaming = http.newBuilder().callTimeout(0, TimeUnit.MILLISECONDS).build();
    EventSource source =
        EventSources.createFactory(streaming)
            .newEventSource(
                request,
                new EventSourceListener() {
                  @Override
                  public void onEvent(EventSource es, String id, String type, String data) {
                    if ("[DONE]".equals(data.trim())) {
                      result.complete(new ChatResult(text.toString(), finish[0], usage[0]));
                      es.cancel();
                      return;
                    }
                    try {
                      JsonNode chunk = JSON.readTree(data);
                      JsonNode choices = chunk.path("choices");
                      if (choices.isArray() && !choices.isEmpty()) {
                        JsonNode choice = choices.get(0);
                        String delta = choice.path("delta").path("content").asText("");
                        if (!delta.isEmpty()) {
                          started.set(true);
                          text.append(delta);
                          onDelta.accept(delta);
                        }
                        if (choice.hasNonNull("finish_reason")) {
                          finish[0] = choice.get("finish_reason").asText();
                        }
                      }
                      if (chunk.hasNonNull("usage")) {
                        usage[0] = parseUsage(chunk.get("usage"));
                      }
                    } catch (JsonProcessingException e) {
                      result.completeExceptionally(BackendException.malformed("SSE chunk", e));
                      es.cancel();
                    }
                  }

                  @Override
                  public void onClosed(EventSource es) {
                    // vLLM always ends with [DONE]; a stream closed without it was cut short.
                    result.completeExceptionally(
                        BackendException.io(new IOException("stream ended without [DONE]")));
                  }

                  @Override
                  public void onFailure(EventSource es, Throwable t, Response response) {
                    if (response != null && !response.isSuccessful()) {
                      String body = "";
                      try (response) {
                        ResponseBody b = response.body();
                        body = b == null ? "" : b.string();
                      } catch (IOException | IllegalStateException ignored) {
                        // The body may already be consumed; the status is what matters.
                      }
                      result.completeExceptionally(
                          BackendException.forStatus(
                              response.code(), body, retryAfterMs(response)));
                    } else if (t instanceof IOException io) {
                      result.completeExceptionally(BackendException.io(io));
                    } else {
                      result.completeExceptionally(
                          BackendException.malformed(
                              "stream failed: " + t, t == null ? new IOException("no cause") : t));
                    }
                  }
                });
    result.whenComplete(
        (v, e) -> {
          if (result.isCancelled()) {
            source.cancel();
          }
        });
    return result;
  }

  private <T> CompletableFuture<T> withRetry(Supplier<CompletableFuture<T>> attempt) {
    return withRetry(attempt, OpenAiClient::isRetriable);
  }

  private <T> CompletableFuture<T> withRetry(
      Supplier<CompletableFuture<T>> attempt, java.util.function.Predicate<Throwable> retry) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(attempt, retry, 1, result);
    return result;
  }

  private <T> void attempt(
      Supplier<CompletableFuture<T>> attempt,
      java.util.function.Predicate<Throwable> retry,
      int n,
      CompletableFuture<T> result) {
    if (result.isDone()) {
      return;
    }
    attempt
        .get()
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                result.complete(value);
                return;
              }
              Throwable e = FailureClassifier.unwrap(error);
              if (n >= config.retry().maxAttempts() || !retry.test(e)) {
                result.completeExceptionally(e);
                return;
              }
              long floor = e instanceof BackendException be ? be.retryAfterMs() : -1;
              Executor later =
                  CompletableFuture.delayedExecutor(
                      config.retry().delayMs(n, floor), TimeUnit.MILLISECONDS);
              later.execute(() -> attempt(attempt, retry, n + 1, result));
            });
  }

  private static boolean isRetriable(Throwable e) {
    return FailureClassifier.classify(e).retriable();
  }

  private static long retryAfterMs(Response response) {
    String h = response.header("Retry-After");
    if (h == null) {
      return -1;
    }
    try {
      return (long) (Double.parseDouble(h.trim()) * 1000);
    } catch (NumberFormatException e) {
      return -1; // HTTP-date form: fall back to our own backoff
    }
  }

  static CompletionsResult parseCompletions(JsonNode json, int expected) {
    JsonNode choices = json.path("choices");
    if (!choices.isArray() || choices.size() != expected) {
      throw BackendException.malformed(
          "expected " + expected + " choices, got " + (choices.isArray() ? choices.size() : 0),
          null);
    }
    List<JsonNode> sorted = new ArrayList<>();
    choices.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(c -> c.path("index").asInt()));
    List<Choice> out = new ArrayList<>();
    for (JsonNode c : sorted) {
      JsonNode text = c.get("text");
      if (text == null || !text.isTextual()) {
        throw BackendException.malformed("choice without text", null);
      }
      out.add(new Choice(text.asText(), textOrNull(c.get("finish_reason"))));
    }
    return new CompletionsResult(out, parseUsage(json.get("usage")));
  }

  static ChatResult parseChat(JsonNode json) {
    JsonNode choices = json.path("choices");
    if (!choices.isArray() || choices.isEmpty()) {
      throw BackendException.malformed("no choices", null);
    }
    JsonNode content = choices.get(0).path("message").get("content");
    if (content == null || !content.isTextual()) {
      throw BackendException.malformed("choice without message content", null);
    }
    return new ChatResult(
        content.asText(),
        textOrNull(choices.get(0).get("finish_reason")),
        parseUsage(json.get("usage")));
  }

  private static TokenUsage parseUsage(JsonNode usage) {
    if (usage == null || usage.isNull()) {
      return null;
    }
    return new TokenUsage(
        usage.path("prompt_tokens").asInt(), usage.path("completion_tokens").asInt());
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  /** Releases the pool and dispatcher threads if this client created them. */
  @Override
  public void close() {
    if (ownsHttp) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }
}
