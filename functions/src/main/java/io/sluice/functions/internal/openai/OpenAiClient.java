package io.sluice.functions.internal.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.functions.internal.openai.OpenAiTypes.ChatResult;
import io.sluice.functions.internal.openai.OpenAiTypes.Choice;
import io.sluice.functions.internal.openai.OpenAiTypes.CompletionsResult;
import io.sluice.functions.internal.openai.OpenAiTypes.EmbeddingsResult;
import io.sluice.functions.internal.openai.OpenAiTypes.Message;
import io.sluice.functions.internal.openai.OpenAiTypes.Sampling;
import io.sluice.functions.internal.openai.OpenAiTypes.TokenUsage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for vLLM's OpenAI-compatible API over one shared {@link OkHttpClient}.
 *
 * <ul>
 *   <li>{@link #completions}: all prompts of a batch in one {@code /v1/completions} call (vLLM
 *       schedules them together);
 *   <li>{@link #chat}: one {@code /v1/chat/completions} call; a chat batch issues these
 *       concurrently and vLLM batches them continuously;
 *   <li>{@link #streamChat}: the same call with {@code stream: true}, read as server-sent events;
 *   <li>{@link #embeddings}: all inputs of a batch in one {@code /v1/embeddings} call.
 * </ul>
 *
 * <p>Sampling's {@code n} and pass-through parameters ({@code frequency_penalty}, {@code tools},
 * ...) are sent as given; replies keep every choice, tool calls and logprobs.
 *
 * <p>All calls are asynchronous (no thread parked per call) and make exactly one attempt: the
 * worker's per-item retry ({@code sluice.worker.retry.*}) is the one retry layer, and OkHttp's
 * {@code retryOnConnectionFailure} is off. A call may be given a deadline: its whole-call timeout
 * is then the lesser of {@link OpenAiClientConfig#callTimeout} and the time left, a call whose
 * deadline has passed is not made, and one cut short by its deadline fails with {@code
 * deadline_exceeded}. Failures complete the future with a {@link BackendException} that says
 * whether it is retriable (and carries {@code Retry-After}). Every response body is closed.
 */
public final class OpenAiClient implements AutoCloseable {
  private static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(OpenAiClient.class);

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
        .retryOnConnectionFailure(false) // the worker's per-item retry is the only retry layer
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
    return completions(prompts, s, null);
  }

  /** Like {@link #completions(List, Sampling)}, cancelled at {@code deadline} (null: none). */
  public CompletableFuture<CompletionsResult> completions(
      List<String> prompts, Sampling s, Instant deadline) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", config.model());
    ArrayNode array = body.putArray("prompt");
    prompts.forEach(array::add);
    putSampling(body, s);
    Request request = post("/v1/completions", body);
    int expected = prompts.size() * (s == null ? 1 : s.choicesPerPrompt());
    return call(request, json -> parseCompletions(json, expected), deadline);
  }

  /**
   * {@code POST /v1/embeddings} with every input in one call; vectors come back in input order, as
   * float arrays or base64 strings ({@code encodingFormat}), {@code dimensions} null for the
   * model's own.
   */
  public CompletableFuture<EmbeddingsResult> embeddings(
      List<String> inputs, String encodingFormat, Integer dimensions, Instant deadline) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", config.model());
    ArrayNode array = body.putArray("input");
    inputs.forEach(array::add);
    body.put("encoding_format", encodingFormat);
    if (dimensions != null) {
      body.put("dimensions", dimensions);
    }
    Request request = post("/v1/embeddings", body);
    return call(request, json -> parseEmbeddings(json, inputs.size()), deadline);
  }

  /** {@code POST /v1/chat/completions}, not streamed. */
  public CompletableFuture<ChatResult> chat(List<Message> messages, Sampling s) {
    return chat(messages, s, null);
  }

  /** Like {@link #chat(List, Sampling)}, cancelled at {@code deadline} (null: none). */
  public CompletableFuture<ChatResult> chat(List<Message> messages, Sampling s, Instant deadline) {
    Request request = post("/v1/chat/completions", chatBody(messages, s, false));
    return call(request, OpenAiClient::parseChat, deadline);
  }

  /**
   * {@code POST /v1/chat/completions} with {@code stream: true}: {@code onDelta} receives each
   * content delta as it arrives; the future completes with the whole text at {@code [DONE]}. A
   * failure after the first delta is permanent (a retry would repeat the deltas sent).
   */
  public CompletableFuture<ChatResult> streamChat(
      List<Message> messages, Sampling s, Consumer<String> onDelta) {
    return streamChat(messages, s, onDelta, null);
  }

  /** Like {@link #streamChat(List, Sampling, Consumer)}, cancelled at {@code deadline}. */
  public CompletableFuture<ChatResult> streamChat(
      List<Message> messages, Sampling s, Consumer<String> onDelta, Instant deadline) {
    Request request = post("/v1/chat/completions", chatBody(messages, s, true));
    return stream(request, onDelta, deadline);
  }

  /**
   * The whole-call timeout of a call made now: {@code callTimeout}, or less if the deadline comes
   * sooner; 0 or less when the deadline has passed.
   */
  private long timeoutMs(Instant deadline, Duration callTimeout) {
    long configured = callTimeout.toMillis() <= 0 ? Long.MAX_VALUE : callTimeout.toMillis();
    if (deadline == null) {
      return configured == Long.MAX_VALUE ? 0 : configured;
    }
    return Math.min(configured, deadline.toEpochMilli() - System.currentTimeMillis());
  }

  /** The failure of a call cut short: by the request's deadline, or by the backend's timeout. */
  private static BackendException transportFailure(IOException e, Instant deadline) {
    if (deadline != null && System.currentTimeMillis() >= deadline.toEpochMilli() - 5) {
      return BackendException.deadline(e);
    }
    return BackendException.io(e);
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
    if (s.choicesPerPrompt() > 1) {
      body.put("n", s.choicesPerPrompt());
    }
    s.extra().forEach((name, json) -> body.set(name, extraValue(name, json)));
  }

  /**
   * A pass-through parameter's value. The entry path validated it; a producer that wrote bad JSON
   * gets an {@code invalid_input} for its item, as for any input the function cannot use.
   */
  public static JsonNode extraValue(String name, String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("parameter '" + name + "' is not JSON", e);
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

  /** One HTTP exchange, bounded by the deadline; the body is closed whatever happens. */
  private <T> CompletableFuture<T> call(
      Request request, Function<JsonNode, T> parse, Instant deadline) {
    CompletableFuture<T> result = new CompletableFuture<>();
    long timeout = timeoutMs(deadline, config.callTimeout());
    if (deadline != null && timeout <= 0) {
      result.completeExceptionally(
          BackendException.deadline(new InterruptedIOException("deadline passed before the call")));
      return result;
    }
    Call call = http.newCall(request);
    call.timeout().timeout(Math.max(0, timeout), TimeUnit.MILLISECONDS);
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            result.completeExceptionally(transportFailure(e, deadline));
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (response) {
              ResponseBody body = response.body();
              String text = body == null ? "" : body.string();
              if (!response.isSuccessful()) {
                BackendException be =
                    BackendException.forStatus(response.code(), text, retryAfterMs(response));
                log.warn("{} {}: {}", request.url().encodedPath(), be.getMessage(), be.detail());
                result.completeExceptionally(be);
                return;
              }
              JsonNode json;
              try {
                json = JSON.readTree(text);
              } catch (JsonProcessingException e) {
                result.completeExceptionally(BackendException.malformed("not JSON: " + e, e));
                return;
              }
              result.complete(parse.apply(json));
            } catch (IOException e) {
              result.completeExceptionally(transportFailure(e, deadline));
            } catch (RuntimeException e) {
              result.completeExceptionally(
                  e instanceof BackendException ? e : BackendException.malformed(e.toString(), e));
            }
          }
        });
    cancelWith(result, call::cancel);
    return result;
  }

  private CompletableFuture<ChatResult> stream(
      Request request, Consumer<String> onDelta, Instant deadline) {
    CompletableFuture<ChatResult> result = new CompletableFuture<>();
    AtomicBoolean started = new AtomicBoolean();
    long timeout = timeoutMs(deadline, Duration.ZERO);
    if (deadline != null && timeout <= 0) {
      result.completeExceptionally(
          BackendException.deadline(new InterruptedIOException("deadline passed before the call")));
      return result;
    }
    StringBuilder text = new StringBuilder();
    String[] finish = new String[1];
    TokenUsage[] usage = new TokenUsage[1];
    // Streams may legitimately run longer than callTimeout; readTimeout bounds each silence and
    // the request's deadline, if any, the whole stream.
    OkHttpClient streaming =
        http.newBuilder().callTimeout(Math.max(0, timeout), TimeUnit.MILLISECONDS).build();
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
                    fail(BackendException.io(new IOException("stream ended without [DONE]")));
                  }

                  /** After the first delta a failure is final: a retry would repeat deltas. */
                  private void fail(BackendException e) {
                    result.completeExceptionally(
                        started.get() && e.retriable() ? BackendException.brokenStream(e) : e);
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
                      BackendException be =
                          BackendException.forStatus(response.code(), body, retryAfterMs(response));
                      log.warn("streamed chat: {}: {}", be.getMessage(), be.detail());
                      fail(be);
                    } else if (t instanceof IOException io) {
                      fail(transportFailure(io, deadline));
                    } else {
                      fail(
                          BackendException.malformed(
                              "stream failed: " + t, t == null ? new IOException("no cause") : t));
                    }
                  }
                });
    cancelWith(result, source::cancel);
    return result;
  }

  /** Cancels the HTTP call when a caller cancels its future (a deadline passed, or it gave up). */
  // The listener's own future only mirrors result, which the caller already holds, and an OkHttp
  // cancel() does not throw: nothing can be lost by not keeping it.
  @SuppressWarnings("FutureReturnValueIgnored")
  private static void cancelWith(CompletableFuture<?> result, Runnable cancelCall) {
    result.whenComplete(
        (v, e) -> {
          if (result.isCancelled()) {
            cancelCall.run();
          }
        });
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
      out.add(
          new Choice(
              text.asText(),
              textOrNull(c.get("finish_reason")),
              null,
              jsonOrNull(c.get("logprobs"))));
    }
    return new CompletionsResult(out, parseUsage(json.get("usage")));
  }

  static ChatResult parseChat(JsonNode json) {
    JsonNode choices = json.path("choices");
    if (!choices.isArray() || choices.isEmpty()) {
      throw BackendException.malformed("no choices", null);
    }
    List<JsonNode> sorted = new ArrayList<>();
    choices.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(c -> c.path("index").asInt()));
    List<Choice> all = new ArrayList<>();
    for (JsonNode c : sorted) {
      JsonNode message = c.path("message");
      JsonNode content = message.get("content");
      String toolCalls = jsonOrNull(message.get("tool_calls"));
      if (toolCalls != null && toolCalls.equals("[]")) {
        toolCalls = null;
      }
      // A message that only calls tools has null content; any other needs its text.
      boolean noText = content == null || content.isNull();
      if (!(noText && toolCalls != null) && (content == null || !content.isTextual())) {
        throw BackendException.malformed("choice without message content", null);
      }
      all.add(
          new Choice(
              noText ? "" : content.asText(),
              textOrNull(c.get("finish_reason")),
              toolCalls,
              jsonOrNull(c.get("logprobs"))));
    }
    Choice first = all.get(0);
    boolean plain = all.size() == 1 && !first.hasExtras();
    return new ChatResult(
        first.text(), first.finishReason(), parseUsage(json.get("usage")), plain ? List.of() : all);
  }

  static EmbeddingsResult parseEmbeddings(JsonNode json, int expected) {
    JsonNode data = json.path("data");
    if (!data.isArray() || data.size() != expected) {
      throw BackendException.malformed(
          "expected " + expected + " embeddings, got " + (data.isArray() ? data.size() : 0), null);
    }
    List<JsonNode> sorted = new ArrayList<>();
    data.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(c -> c.path("index").asInt()));
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode d : sorted) {
      JsonNode e = d.get("embedding");
      if (e == null || !(e.isArray() || e.isTextual())) {
        throw BackendException.malformed("an embedding that is neither floats nor base64", null);
      }
      out.add(e);
    }
    return new EmbeddingsResult(out, json.path("usage").path("prompt_tokens").asInt());
  }

  private static String jsonOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.toString();
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
