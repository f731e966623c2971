package io.sluice.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible stand-in for vLLM, modelled on llm-d's inference simulator: {@code POST
 * /v1/completions} (one prompt or a batch), {@code POST /v1/chat/completions}, both optionally
 * streamed as server-sent events and with {@code n} choices per prompt, {@code POST
 * /v1/embeddings}, {@code GET /v1/models}, {@code GET /health} and {@code GET /metrics} (vLLM's
 * metric names). Output is deterministic ({@link EchoText}); latency follows the explicit {@link
 * CostModel}.
 *
 * <p>Everything runs on one Vert.x event loop: waiting requests are timers and queue entries, never
 * parked threads, so thousands of outstanding calls cost little. The engine state below is confined
 * to that event loop.
 *
 * <pre>{@code
 * try (SimulatorServer sim = SimulatorServer.start(SimulatorConfig.defaults(8000))) { ... }
 * }</pre>
 */
public final class SimulatorServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatorServer.class);

  private final SimulatorConfig config;
  private final Vertx vertx;
  private final HttpServer server;

  // Engine state, confined to the single event loop.
  private final Deque<Sequence> waiting = new ArrayDeque<>();
  private int running;
  private int frontEndQueued;
  private long frontEndFreeAtNanos;
  private long requestsTotal;
  private long sequencesTotal;
  private long promptTokensTotal;
  private long generationTokensTotal;
  private long rejectedTotal;

  private SimulatorServer(SimulatorConfig config, Vertx vertx, HttpServer server) {
    this.config = config;
    this.vertx = vertx;
    this.server = server;
  }

  /** Starts the server and waits until it listens. */
  public static SimulatorServer start(SimulatorConfig config) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      HttpServer http = vertx.createHttpServer();
      SimulatorServer sim = new SimulatorServer(config, vertx, http);
      Router router = Router.router(vertx);
      router.route().handler(BodyHandler.create().setBodyLimit(16 * 1024 * 1024));
      router.post("/v1/completions").handler(ctx -> sim.generate(ctx, false));
      router.post("/v1/chat/completions").handler(ctx -> sim.generate(ctx, true));
      router.post("/v1/embeddings").handler(sim::embeddings);
      router.get("/v1/models").handler(sim::models);
      router.get("/health").handler(ctx -> ctx.response().setStatusCode(200).end());
      router.get("/metrics").handler(sim::metrics);
      router
          .route()
          .last()
          .handler(
              ctx -> error(ctx.response(), 404, "not_found", "no route " + ctx.request().path()));
      http.requestHandler(router)
          .listen(config.port(), config.host())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      log.info(
          "vLLM simulator on http://{}:{} model={} cost={}",
          config.host(),
          http.actualPort(),
          config.model(),
          config.cost());
      return sim;
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("cannot start the simulator on port " + config.port(), e);
    }
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://" + config.host() + ":" + port();
  }

  public SimulatorConfig config() {
    return config;
  }

  /**
   * One call in progress: its prompts, n sequences per prompt (sequence i × n + j is prompt i's
   * sample j, OpenAI's choice index), the sequences still running, the answer being built.
   */
  private static final class CallState {
    final RoutingContext ctx;
    final boolean chat;
    final boolean stream;
    final String id = "cmpl-" + UUID.randomUUID();
    final List<String> prompts;
    final int maxTokens;
    final int n;
    final Extras extras;
    final String[] texts;
    int remaining;
    int promptTokens;

    CallState(
        RoutingContext ctx,
        boolean chat,
        boolean stream,
        List<String> prompts,
        int max,
        int n,
        Extras extras) {
      this.ctx = ctx;
      this.chat = chat;
      this.stream = stream;
      this.prompts = prompts;
      this.maxTokens = max;
      this.n = n;
      this.extras = extras;
      this.texts = new String[prompts.size() * n];
      this.remaining = texts.length;
      for (String p : prompts) {
        promptTokens += EchoText.tokens(p).size();
      }
    }
  }

  /**
   * What the simulator does with vLLM's further parameters: logprobs (chat: {@code logprobs} +
   * {@code top_logprobs}; completions: {@code logprobs} = k) and a tool call when {@code
   * tool_choice} is {@code "required"} or names a function. Every other parameter vLLM takes is
   * accepted and has no effect on the echo.
   *
   * @param logprobs whether to report logprobs
   * @param topLogprobs alternatives per token (0: none)
   * @param tool the function to call, or null for text
   */
  private record Extras(boolean logprobs, int topLogprobs, String tool) {}

  private record Sequence(CallState call, int index) {}

  private void generate(RoutingContext ctx, boolean chat) {
    JsonObject body = jsonBody(ctx);
    if (body == null) {
      return;
    }
    List<String> prompts = new ArrayList<>();
    try {
      if (chat) {
        JsonArray messages = body.getJsonArray("messages");
        if (messages == null || messages.isEmpty()) {
          error(ctx.response(), 400, "invalid_request_error", "messages must be a non-empty list");
          return;
        }
        prompts.add(lastUserContent(messages));
      } else {
        List<String> given = strings(ctx, body.getValue("prompt"), "prompt");
        if (given == null) {
          return;
        }
        prompts.addAll(given);
      }
    } catch (ClassCastException e) {
      error(ctx.response(), 400, "invalid_request_error", "malformed request: " + e.getMessage());
      return;
    }
    Integer maxTokens;
    try {
      maxTokens = body.getInteger("max_tokens", body.getInteger("max_completion_tokens"));
    } catch (ClassCastException e) {
      error(ctx.response(), 400, "invalid_request_error", "max_tokens must be an integer");
      return;
    }
    int max = maxTokens == null ? config.defaultMaxTokens() : maxTokens;
    if (max < 1) {
      error(ctx.response(), 400, "invalid_request_error", "max_tokens must be at least 1");
      return;
    }
    if (!servesModel(ctx, body)) {
      return;
    }
    int n;
    Extras extras;
    try {
      Integer asked = body.getInteger("n");
      n = asked == null ? 1 : asked;
      extras = extras(body, chat);
    } catch (ClassCastException | IllegalArgumentException e) {
      error(ctx.response(), 400, "invalid_request_error", "bad parameter: " + e.getMessage());
      return;
    }
    if (n < 1 || n > MAX_N) {
      error(ctx.response(), 400, "invalid_request_error", "n must be from 1 to " + MAX_N);
      return;
    }
    if (frontEndQueued + waiting.size() + prompts.size() * n > config.maxWaiting()) {
      rejectedTotal++;
      ctx.response().putHeader("Retry-After", "1");
      error(ctx.response(), 429, "rate_limit_exceeded", "the waiting queue is full");
      return;
    }
    requestsTotal++;
    CallState call =
        new CallState(ctx, chat, body.getBoolean("stream", false), prompts, max, n, extras);
    promptTokensTotal += call.promptTokens;
    if (call.stream) {
      ctx.response()
          .setChunked(true)
          .putHeader("Content-Type", "text/event-stream")
          .putHeader("Cache-Control", "no-cache");
    }
    // The serial front end: this call is handled after every call before it.
    long now = System.nanoTime();
    long startAt = Math.max(now, frontEndFreeAtNanos);
    frontEndFreeAtNanos = startAt + (long) (config.cost().frontEndMs(prompts.size()) * 1_000_000.0);
    frontEndQueued += prompts.size();
    after(
        frontEndFreeAtNanos - now,
        () -> {
          frontEndQueued -= prompts.size();
          for (int i = 0; i < call.texts.length; i++) {
            waiting.add(new Sequence(call, i));
          }
          admit();
        });
  }

  /** The call's JSON object body, or null once a 400 has been answered. */
  private static JsonObject jsonBody(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      error(ctx.response(), 400, "invalid_request_error", "body is not a JSON object");
      return null;
    }
    if (body == null) {
      error(ctx.response(), 400, "invalid_request_error", "missing JSON body");
    }
    return body;
  }

  /** Whether the call names this server's model (or none); else a 404 has been answered. */
  private boolean servesModel(RoutingContext ctx, JsonObject body) {
    String model = body.getString("model", "");
    if (!model.isEmpty() && !model.equals(config.model())) {
      error(ctx.response(), 404, "model_not_found", "model '" + model + "' does not exist");
      return false;
    }
    return true;
  }

  /** A string or a non-empty list of strings ({@code prompt}, {@code input}); null after a 400. */
  private static List<String> strings(RoutingContext ctx, Object value, String field) {
    List<String> out = new ArrayList<>();
    if (value instanceof String one) {
      out.add(one);
      return out;
    }
    if (value instanceof JsonArray a && !a.isEmpty()) {
      for (Object x : a) {
        if (!(x instanceof String text)) {
          error(ctx.response(), 400, "invalid_request_error", field + " must be strings");
          return null;
        }
        out.add(text);
      }
      return out;
    }
    error(ctx.response(), 400, "invalid_request_error", field + " must be a string or list");
    return null;
  }

  private void admit() {
    while (running < config.cost().maxNumSeqs() && !waiting.isEmpty()) {
      Sequence seq = waiting.poll();
      running++;
      sequencesTotal++;
      double f = config.cost().factor(running);
      run(seq, f);
    }
  }

  private void run(Sequence seq, double factor) {
    CallState call = seq.call();
    List<String> tokens =
        EchoText.outputTokens(
            call.prompts.get(seq.index() / call.n), call.maxTokens, seq.index() % call.n);
    long ttft = (long) (config.cost().ttftMs() * factor * 1_000_000.0);
    long tpot = (long) (config.cost().tpotMs() * factor * 1_000_000.0);
    if (!call.stream) {
      after(
          ttft + (tokens.size() - 1) * tpot,
          () -> finish(seq, String.join("", tokens), tokens.size()));
      return;
    }
    streamToken(seq, tokens, 0, ttft, tpot);
  }

  private void streamToken(Sequence seq, List<String> tokens, int i, long delay, long tpot) {
    after(
        delay,
        () -> {
          CallState call = seq.call();
          JsonObject choice = new JsonObject().put("index", seq.index());
          if (call.chat) {
            JsonObject delta = new JsonObject().put("content", tokens.get(i));
            if (i == 0) {
              delta.put("role", "assistant");
            }
            choice.put("delta", delta);
          } else {
            choice.put("text", tokens.get(i));
          }
          boolean last = i == tokens.size() - 1;
          choice.put("finish_reason", last ? "length" : null);
          sse(call, chunk(call).put("choices", new JsonArray().add(choice)));
          if (last) {
            finish(seq, String.join("", tokens), tokens.size());
          } else {
            streamToken(seq, tokens, i + 1, tpot, tpot);
          }
        });
  }

  private void finish(Sequence seq, String text, int generated) {
    running--;
    generationTokensTotal += generated;
    CallState call = seq.call();
    call.texts[seq.index()] = text;
    call.remaining--;
    admit();
    if (call.remaining > 0) {
      return;
    }
    int completionTokens = call.texts.length * call.maxTokens;
    JsonObject usage =
        new JsonObject()
            .put("prompt_tokens", call.promptTokens)
            .put("completion_tokens", completionTokens)
            .put("total_tokens", call.promptTokens + completionTokens);
    if (call.stream) {
      sse(call, chunk(call).put("choices", new JsonArray()).put("usage", usage));
      if (!call.ctx.response().closed()) {
        call.ctx.response().end("data: [DONE]\n\n");
      }
      return;
    }
    JsonArray choices = new JsonArray();
    for (int i = 0; i < call.texts.length; i++) {
      JsonObject c = new JsonObject().put("index", i).put("finish_reason", "length");
      if (call.chat && call.extras.tool() != null) {
        JsonObject fn = new JsonObject().put("name", call.extras.tool()).put("arguments", "{}");
        JsonObject toolCall =
            new JsonObject().put("id", "call_" + i).put("type", "function").put("function", fn);
        c.put(
            "message",
            new JsonObject()
                .put("role", "assistant")
                .putNull("content")
                .put("tool_calls", new JsonArray().add(toolCall)));
        c.put("finish_reason", "tool_calls");
      } else if (call.chat) {
        c.put("message", new JsonObject().put("role", "assistant").put("content", call.texts[i]));
      } else {
        c.put("text", call.texts[i]);
      }
      if (call.extras.logprobs()) {
        c.put("logprobs", logprobs(call, call.texts[i]));
      } else {
        c.putNull("logprobs");
      }
      choices.add(c);
    }
    JsonObject answer =
        new JsonObject()
            .put("id", call.id)
            .put("object", call.chat ? "chat.completion" : "text_completion")
            .put("created", System.currentTimeMillis() / 1000)
            .put("model", config.model())
            .put("choices", choices)
            .put("usage", usage);
    if (!call.ctx.response().closed()) {
      call.ctx.response().putHeader("Content-Type", "application/json").end(answer.encode());
    }
  }

  /** Most choices per prompt the simulator generates. */
  static final int MAX_N = 128;

  private static Extras extras(JsonObject body, boolean chat) {
    boolean logprobs;
    int top;
    if (chat) {
      logprobs = body.getBoolean("logprobs", false);
      Integer t = body.getInteger("top_logprobs");
      top = t == null ? 0 : t;
    } else {
      Integer k = body.getInteger("logprobs");
      logprobs = k != null;
      top = k == null ? 0 : k;
    }
    if (top < 0 || top > 20) {
      throw new IllegalArgumentException("logprobs must be from 0 to 20");
    }
    String tool = null;
    Object choice = body.getValue("tool_choice");
    JsonArray tools = body.getJsonArray("tools");
    if (chat && tools != null && !tools.isEmpty()) {
      JsonObject fn =
          "required".equals(choice)
              ? tools.getJsonObject(0).getJsonObject("function")
              : choice instanceof JsonObject named ? named.getJsonObject("function") : null;
      tool = fn == null ? null : fn.getString("name");
    }
    return new Extras(logprobs, top, tool);
  }

  /**
   * Deterministic logprobs of a generated text: every token -0.25, its alternatives (when asked)
   * the same token at -1, -2, ... (chat: OpenAI's {@code content} list; completions: {@code
   * tokens}/{@code token_logprobs}/{@code top_logprobs}/{@code text_offset}).
   */
  private static JsonObject logprobs(CallState call, String text) {
    List<String> tokens = new ArrayList<>();
    for (String w : text.split("(?= )", -1)) {
      if (!w.isEmpty()) {
        tokens.add(w);
      }
    }
    int top = call.extras.topLogprobs();
    if (call.chat) {
      JsonArray content = new JsonArray();
      for (String t : tokens) {
        JsonArray alternatives = new JsonArray();
        for (int k = 0; k < top; k++) {
          alternatives.add(new JsonObject().put("token", t).put("logprob", -(k + 1.0)));
        }
        content.add(
            new JsonObject()
                .put("token", t)
                .put("logprob", -0.25)
                .putNull("bytes")
                .put("top_logprobs", alternatives));
      }
      return new JsonObject().put("content", content);
    }
    JsonArray toks = new JsonArray();
    JsonArray lps = new JsonArray();
    JsonArray tops = new JsonArray();
    JsonArray offsets = new JsonArray();
    int offset = 0;
    for (String t : tokens) {
      toks.add(t);
      lps.add(-0.25);
      JsonObject alternatives = new JsonObject();
      if (top > 0) {
        alternatives.put(t, -0.25);
      }
      tops.add(alternatives);
      offsets.add(offset);
      offset += t.length();
    }
    return new JsonObject()
        .put("tokens", toks)
        .put("token_logprobs", lps)
        .put("top_logprobs", tops)
        .put("text_offset", offsets);
  }

  /**
   * {@code POST /v1/embeddings}: {@code input} a string or strings, {@code encoding_format} float
   * or base64, {@code dimensions}; deterministic unit vectors ({@link Embeddings}), answered after
   * the serial front end's cost for that many inputs (an embedding model does no decoding).
   */
  private void embeddings(RoutingContext ctx) {
    JsonObject body = jsonBody(ctx);
    if (body == null) {
      return;
    }
    List<String> inputs = strings(ctx, body.getValue("input"), "input");
    if (inputs == null) {
      return;
    }
    if (!servesModel(ctx, body)) {
      return;
    }
    String format;
    int dimensions;
    try {
      format = body.getString("encoding_format", "float");
      Integer d = body.getInteger("dimensions");
      dimensions = d == null ? Embeddings.DEFAULT_DIMENSIONS : d;
    } catch (ClassCastException e) {
      error(ctx.response(), 400, "invalid_request_error", "bad parameter: " + e.getMessage());
      return;
    }
    if (!format.equals("float") && !format.equals("base64")) {
      error(ctx.response(), 400, "invalid_request_error", "encoding_format: float or base64");
      return;
    }
    if (dimensions < 1 || dimensions > Embeddings.MAX_DIMENSIONS) {
      error(
          ctx.response(),
          400,
          "invalid_request_error",
          "dimensions must be from 1 to " + Embeddings.MAX_DIMENSIONS);
      return;
    }
    requestsTotal++;
    JsonArray data = new JsonArray();
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      float[] v = Embeddings.vector(inputs.get(i), dimensions);
      Object embedding;
      if (format.equals("base64")) {
        embedding = Embeddings.base64(v);
      } else {
        JsonArray floats = new JsonArray();
        for (float f : v) {
          floats.add(f);
        }
        embedding = floats;
      }
      data.add(
          new JsonObject().put("object", "embedding").put("embedding", embedding).put("index", i));
      tokens += EchoText.tokens(inputs.get(i)).size();
    }
    promptTokensTotal += tokens;
    JsonObject answer =
        new JsonObject()
            .put("object", "list")
            .put("data", data)
            .put("model", config.model())
            .put(
                "usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens));
    long now = System.nanoTime();
    long startAt = Math.max(now, frontEndFreeAtNanos);
    frontEndFreeAtNanos = startAt + (long) (config.cost().frontEndMs(inputs.size()) * 1_000_000.0);
    after(
        frontEndFreeAtNanos - now,
        () -> {
          if (!ctx.response().closed()) {
            ctx.response().putHeader("Content-Type", "application/json").end(answer.encode());
          }
        });
  }

  private JsonObject chunk(CallState call) {
    return new JsonObject()
        .put("id", call.id)
        .put("object", call.chat ? "chat.completion.chunk" : "text_completion")
        .put("created", System.currentTimeMillis() / 1000)
        .put("model", config.model());
  }

  private static void sse(CallState call, JsonObject data) {
    if (!call.ctx.response().closed()) {
      call.ctx.response().write("data: " + data.encode() + "\n\n");
    }
  }

  private void after(long nanos, Runnable action) {
    long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    vertx.setTimer(ms, id -> action.run());
  }

  private static String lastUserContent(JsonArray messages) {
    String last = "";
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      String content = m.getValue("content") instanceof String s ? s : "";
      if ("user".equals(m.getString("role"))) {
        last = content;
      } else if (last.isEmpty()) {
        last = content;
      }
    }
    return last;
  }

  private void models(RoutingContext ctx) {
    JsonObject model =
        new JsonObject()
            .put("id", config.model())
            .put("object", "model")
            .put("created", 0)
            .put("owned_by", "sluice-simulator")
            .put("max_model_len", 32768);
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("object", "list")
                .put("data", new JsonArray().add(model))
                .encode());
  }

  private void metrics(RoutingContext ctx) {
    String m = "model_name=\"" + config.model() + "\"";
    StringBuilder sb = new StringBuilder();
    gauge(sb, "vllm:num_requests_running", "Sequences running in the engine.", m, running);
    gauge(
        sb,
        "vllm:num_requests_waiting",
        "Sequences waiting (front end and engine queue).",
        m,
        waiting.size() + frontEndQueued);
    counter(sb, "vllm:request_success_total", "HTTP calls accepted.", m, requestsTotal);
    counter(sb, "vllm:sequences_total", "Sequences admitted to the engine.", m, sequencesTotal);
    counter(sb, "vllm:prompt_tokens_total", "Prompt tokens received.", m, promptTokensTotal);
    counter(sb, "vllm:generation_tokens_total", "Tokens generated.", m, generationTokensTotal);
    counter(sb, "vllm:request_rejected_total", "Calls refused with 429.", m, rejectedTotal);
    ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(sb.toString());
  }

  private static void gauge(StringBuilder sb, String name, String help, String labels, long v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" gauge\n");
    sb.append(name).append('{').append(labels).append("} ").append(v).append('\n');
  }

  private static void counter(StringBuilder sb, String name, String help, String labels, long v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
    sb.append(name).append('{').append(labels).append("} ").append(v).append('\n');
  }

  static void error(HttpServerResponse response, int status, String type, String message) {
    if (response.closed() || response.ended()) {
      return;
    }
    JsonObject err =
        new JsonObject()
            .put(
                "error",
                new JsonObject()
                    .put("message", message)
                    .put("type", type)
                    .put("param", null)
                    .put("code", status));
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(err.encode());
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("simulator did not stop cleanly: {}", e.toString());
    }
  }
}
