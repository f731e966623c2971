package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.Priority;
import io.sluice.avro.ResponseStatus;
import io.sluice.avro.RouteConfig;
import io.sluice.bridge.ApiKeys;
import io.sluice.bridge.ApiKeys.Principal;
import io.sluice.bridge.BridgeConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The bridge's HTTP routes (Vert.x Web); see {@code bridge/README.md} for the API. */
public final class HttpApi {
  public static final String REQUEST_ID_HEADER = "Sluice-Request-Id";
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  public static final String TIMEOUT_HEADER = "Sluice-Timeout-Ms";
  public static final String PRIORITY_HEADER = "Sluice-Priority";

  private final Vertx vertx;
  private final BridgeConfig config;
  private final RouteTable routes;
  private final ReplyListener replies;
  private final ResultStore store;
  private final PendingReplies pending;
  private final Submitter submitter;
  private final PrometheusMeterRegistry metrics;
  private final Supplier<Map<String, Object>> readiness;
  private final AtomicInteger inFlight = new AtomicInteger();

  public HttpApi(
      Vertx vertx,
      BridgeConfig config,
      RouteTable routes,
      ReplyListener replies,
      ResultStore store,
      PendingReplies pending,
      Submitter submitter,
      PrometheusMeterRegistry metrics,
      Supplier<Map<String, Object>> readiness) {
    this.vertx = vertx;
    this.config = config;
    this.routes = routes;
    this.replies = replies;
    this.store = store;
    this.pending = pending;
    this.submitter = submitter;
    this.metrics = metrics;
    this.readiness = readiness;
    metrics.gauge("sluice.bridge.in.flight", inFlight);
  }

  public Router router() {
    Router r = Router.router(vertx);
    r.get("/healthz").handler(ctx -> json(ctx, 200, object().put("status", "UP")));
    r.get("/readyz").handler(this::readyz);
    r.get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape()));
    r.post("/v1/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    r.post("/v1/apps/:app/infer").handler(ctx -> call(ctx, Kind.SLUICE));
    r.post("/v1/chat/completions").handler(ctx -> call(ctx, Kind.CHAT));
    r.post("/v1/completions").handler(ctx -> call(ctx, Kind.COMPLETION));
    r.get("/v1/requests/:id").handler(this::result);
    r.get("/v1/models").handler(this::models);
    r.get("/v1/models/:model").handler(this::model);
    r.route("/v1/*").failureHandler(this::failure);
    r.route()
        .last()
        .handler(
            ctx ->
                sendError(
                    ctx,
                    kindOfPath(ctx),
                    new ApiError(
                        404,
                        ApiError.NOT_FOUND,
                        "No route " + ctx.request().method() + " " + ctx.request().path() + ".",
                        null,
                        null,
                        null)));
    return r;
  }

  // ---- calls ------------------------------------------------------------------------------

  private void call(RoutingContext ctx, Kind kind) {
    try {
      Principal who = principal(ctx);
      JsonNode body = RequestMapper.parseObject(ctx.body().asString());
      ParsedCall call =
          switch (kind) {
            case SLUICE -> RequestMapper.infer(ctx.pathParam("app"), body);
            case CHAT -> RequestMapper.chat(body);
            case COMPLETION -> RequestMapper.completion(body);
          };
      String param = kind.openAi() ? "model" : null;
      if (!routes.knows(call.app())) {
        throw kind.openAi()
            ? new ApiError(
                404,
                "model_not_found",
                "The model '" + call.app() + "' does not exist.",
                "model",
                null,
                null)
            : ApiError.unknownApp(call.app(), param);
      }
      if (!who.allows(call.app())) {
        throw new ApiError(
            403,
            ApiError.FORBIDDEN,
            "This API key may not call the app '" + call.app() + "'.",
            param,
            null,
            null);
      }
      boolean async = kind == Kind.SLUICE && prefers(ctx, "respond-async");
      if (async && call.stream()) {
        throw ApiError.badField("stream", "A streamed call cannot also be respond-async.");
      }
      long timeout = timeoutOf(ctx, call);
      Priority priority = priorityOf(ctx, call);
      String idemKey = ctx.request().getHeader(IDEMPOTENCY_KEY);
      if (idemKey != null) {
        if (idemKey.isBlank() || idemKey.length() > 255) {
          throw ApiError.badField(
              IDEMPOTENCY_KEY, "Idempotency-Key must have 1 to 255 characters.");
        }
        idempotent(ctx, kind, who, call, idemKey, async, timeout, priority);
      } else if (async) {
        submitAsync(ctx, call, UUID.randomUUID().toString(), priority, Map.of());
      } else {
        submitSync(ctx, kind, call, UUID.randomUUID().toString(), timeout, priority, false);
      }
    } catch (ApiError e) {
      sendError(ctx, kind, e);
    }
  }

  private void submitSync(
      RoutingContext ctx,
      Kind kind,
      ParsedCall call,
      String id,
      long timeout,
      Priority priority,
      boolean viaResults) {
    int partition = viaResults ? -1 : replies.pickPartition();
    if (!viaResults && partition < 0) {
      throw ApiError.unavailable("The bridge owns no reply partition yet; retry shortly.", null);
    }
    admit();
    Context context = vertx.getOrCreateContext();
    Exchange ex = new Exchange(this, ctx, context, kind, id, call.app(), call.stream(), timeout);
    if (!pending.register(id, ex)) {
      inFlight.decrementAndGet();
      throw new ApiError(409, "conflict", "Request " + id + " is already open here.", null, 1, id);
    }
    ex.arm();
    InferenceRequest req =
        request(
            ctx,
            call,
            id,
            timeout,
            priority,
            viaResults ? config.resultsTopic() : config.replyTopic(),
            viaResults ? null : partition,
            Map.of());
    submitter
        .submit(req)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                if (viaResults) {
                  store.release(id);
                }
                ex.fail(kafkaDown(e, id));
              }
            });
  }

  private void submitAsync(
      RoutingContext ctx,
      ParsedCall call,
      String id,
      Priority priority,
      Map<String, String> extra) {
    if (!store.claim(id, call.app())) {
      accepted(ctx, id);
      return;
    }
    Context context = vertx.getOrCreateContext();
    InferenceRequest req =
        request(
            ctx, call, id, config.asyncDeadlineMs(), priority, config.resultsTopic(), null, extra);
    marker(id, call.app())
        .thenCompose(v -> submitter.submit(req))
        .whenComplete(
            (v, e) ->
                context.runOnContext(
                    x -> {
                      if (e != null) {
                        store.release(id);
                        sendError(ctx, Kind.SLUICE, kafkaDown(e, id));
                      } else {
                        accepted(ctx, id);
                      }
                    }));
  }

  /**
   * An Idempotency-Key call: the request id is derived from the key (and the caller and route), so
   * a repeat finds the first call's entry in the result store instead of running again.
   */
  private void idempotent(
      RoutingContext ctx,
      Kind kind,
      Principal who,
      ParsedCall call,
      String key,
      boolean async,
      long timeout,
      Priority priority) {
    String id = idempotentId(who, kind, call.app(), key);
    ResultStore.Entry known = store.get(id);
    if (known != null && known.done()) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
      if (call.stream()) {
        replayStream(ctx, kind, known.result(), id, call.app());
      } else {
        sendResult(ctx, kind, known.result(), call.app());
      }
      return;
    }
    if (known != null) {
      if (async) {
        accepted(ctx, id);
      } else {
        ctx.response().putHeader("Idempotent-Replayed", "true");
        awaitStored(ctx, kind, id, call.app(), timeout, call.stream());
      }
      return;
    }
    if (async) {
      submitAsync(ctx, call, id, priority, Map.of("idempotency-key", key));
      return;
    }
    if (!store.claim(id, call.app())) {
      awaitStored(ctx, kind, id, call.app(), timeout, call.stream());
      return;
    }
    Context context = vertx.getOrCreateContext();
    // The marker goes first so that a repeat on any replica sees the key as taken.
    marker(id, call.app())
        .whenComplete(
            (v, e) ->
                context.runOnContext(
                    x -> {
                      if (e != null) {
                        store.release(id);
                        sendError(ctx, kind, kafkaDown(e, id));
                        return;
                      }
                      try {
                        submitSync(ctx, kind, withKey(call, key), id, timeout, priority, true);
                      } catch (ApiError err) {
                        sendError(ctx, kind, err);
                      }
                    }));
  }

  private static ParsedCall withKey(ParsedCall call, String key) {
    Map<String, String> a = new HashMap<>(call.attributes());
    a.put("idempotency-key", key);
    return new ParsedCall(
        call.app(), call.input(), call.stream(), call.priority(), call.timeoutMs(), a);
  }

  /** Waits, without a thread, for a result another call (maybe on another replica) produces. */
  private void awaitStored(
      RoutingContext ctx, Kind kind, String id, String app, long timeout, boolean stream) {
    admit();
    Context context = vertx.getOrCreateContext();
    long start = System.nanoTime();
    boolean[] done = {false};
    Runnable[] cancel = {() -> {}};
    long timer =
        vertx.setTimer(
            timeout,
            t -> {
              if (!done[0]) {
                done[0] = true;
                cancel[0].run();
                inFlight.decrementAndGet();
                sendError(ctx, kind, ApiError.timeout(id, timeout));
              }
            });
    cancel[0] =
        store.whenDone(
            id,
            r ->
                context.runOnContext(
                    v -> {
                      if (done[0]) {
                        return;
                      }
                      done[0] = true;
                      vertx.cancelTimer(timer);
                      ApiError e = ResponseMapper.errorOf(r);
                      released(null, kind, e == null ? 200 : e.status(), System.nanoTime() - start);
                      if (stream) {
                        replayStream(ctx, kind, r, id, app);
                      } else {
                        sendResult(ctx, kind, r, app);
                      }
                    }));
  }

  private CompletableFuture<Void> marker(String id, String app) {
    InferenceResponse marker =
        InferenceResponse.newBuilder()
            .setRequestId(id)
            .setApp(app)
            .setStatus(ResponseStatus.UNKNOWN)
            .setFinalChunk(false)
            .build();
    return submitter.record(config.resultsTopic(), marker);
  }

  private InferenceRequest request(
      RoutingContext ctx,
      ParsedCall call,
      String id,
      long deadlineIn,
      Priority priority,
      String replyTo,
      Integer replyPartition,
      Map<String, String> extra) {
    long now = System.currentTimeMillis();
    Map<String, String> attributes = new HashMap<>(call.attributes());
    attributes.putAll(extra);
    return InferenceRequest.newBuilder()
        .setRequestId(id)
        .setApp(call.app())
        .setInput(call.input())
        .setModel(call.app())
        .setStream(call.stream())
        .setCreatedAtMs(Instant.ofEpochMilli(now))
        .setDeadlineMs(Instant.ofEpochMilli(now + deadlineIn))
        .setPriority(priority)
        .setReplyTo(replyTo)
        .setReplyPartition(replyPartition)
        .setTraceparent(ctx.request().getHeader("traceparent"))
        .setAttributes(attributes)
        .build();
  }

  private void admit() {
    if (inFlight.incrementAndGet() > config.maxInFlight()) {
      inFlight.decrementAndGet();
      throw ApiError.overloaded(1);
    }
  }

  /** Called once per finished exchange (status 0: the client went away). */
  void released(Exchange ex, Kind kind, int status, long nanos) {
    if (ex != null) {
      pending.remove(ex.requestId(), ex);
    }
    inFlight.decrementAndGet();
    Timer.builder("sluice.bridge.call")
        .description("Calls from HTTP request to reply")
        .tag("route", kind.metricTag())
        .tag("status", status == 0 ? "client_gone" : Integer.toString(status))
        .publishPercentileHistogram()
        .register(metrics)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private static ApiError kafkaDown(Throwable e, String id) {
    Throwable c =
        e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause()
            : e;
    return ApiError.unavailable("Kafka did not accept the request: " + c.getMessage(), id);
  }

  private void accepted(RoutingContext ctx, String id) {
    ctx.response().putHeader("Location", "/v1/requests/" + id).putHeader("Retry-After", "1");
    json(ctx, 202, object().put("requestId", id).put("status", "PENDING"));
  }

  // ---- results, models, health ------------------------------------------------------------

  private void result(RoutingContext ctx) {
    try {
      Principal who = principal(ctx);
      String id = ctx.pathParam("id");
      ResultStore.Entry e = store.get(id);
      if (e == null || !who.allows(e.app())) {
        throw new ApiError(
            404,
            ApiError.NOT_FOUND,
            "No request '" + id + "' is known (or its result has expired).",
            null,
            null,
            id);
      }
      if (e.done()) {
        sendResult(ctx, Kind.SLUICE, e.result(), e.app());
        return;
      }
      long waitMs = Math.min(preferWaitSeconds(ctx) * 1000L, config.maxTimeoutMs());
      if (waitMs <= 0) {
        accepted(ctx, id);
        return;
      }
      Context context = vertx.getOrCreateContext();
      boolean[] done = {false};
      Runnable[] cancel = {() -> {}};
      long timer =
          vertx.setTimer(
              waitMs,
              t -> {
                if (!done[0]) {
                  done[0] = true;
                  cancel[0].run();
                  accepted(ctx, id);
                }
              });
      cancel[0] =
          store.whenDone(
              id,
              r ->
                  context.runOnContext(
                      v -> {
                        if (!done[0]) {
                          done[0] = true;
                          vertx.cancelTimer(timer);
                          sendResult(ctx, Kind.SLUICE, r, e.app());
                        }
                      }));
      ctx.response().closeHandler(v -> cancel[0].run());
    } catch (ApiError err) {
      sendError(ctx, Kind.SLUICE, err);
    }
  }

  private void models(RoutingContext ctx) {
    try {
      Principal who = principal(ctx);
      ObjectNode o = object().put("object", "list");
      ArrayNode data = o.putArray("data");
      routes
          .all()
          .forEach(
              (app, rc) -> {
                if (who.allows(app)) {
                  data.add(modelJson(app, rc));
                }
              });
      json(ctx, 200, o);
    } catch (ApiError e) {
      sendError(ctx, Kind.CHAT, e);
    }
  }

  private void model(RoutingContext ctx) {
    try {
      Principal who = principal(ctx);
      String app = ctx.pathParam("model");
      RouteConfig rc = routes.get(app);
      if (rc == null || !who.allows(app)) {
        throw new ApiError(
            404, "model_not_found", "The model '" + app + "' does not exist.", "model", null, null);
      }
      json(ctx, 200, modelJson(app, rc));
    } catch (ApiError e) {
      sendError(ctx, Kind.CHAT, e);
    }
  }

  private static ObjectNode modelJson(String app, RouteConfig rc) {
    return object()
        .put("id", app)
        .put("object", "model")
        .put("created", rc.getUpdatedAtMs() == null ? 0 : rc.getUpdatedAtMs().getEpochSecond())
        .put("owned_by", "sluice");
  }

  private void readyz(RoutingContext ctx) {
    Map<String, Object> checks = readiness.get();
    boolean up = checks.values().stream().allMatch(Boolean.TRUE::equals);
    ObjectNode o = object().put("status", up ? "UP" : "DOWN");
    checks.forEach((k, v) -> o.put(k, String.valueOf(v)));
    json(ctx, up ? 200 : 503, o);
  }

  // ---- request helpers --------------------------------------------------------------------

  private Principal principal(RoutingContext ctx) {
    if (!config.authEnabled()) {
      return ApiKeys.ANONYMOUS;
    }
    String h = ctx.request().getHeader("Authorization");
    String key = null;
    if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      key = h.substring(7).trim();
    }
    return config
        .apiKeys()
        .lookup(key)
        .orElseThrow(
            () ->
                new ApiError(
                    401,
                    ApiError.UNAUTHORIZED,
                    h == null
                        ? "Missing API key: send 'Authorization: Bearer <key>'."
                        : "Invalid API key.",
                    null,
                    null,
                    null));
  }

  /** Whether a {@code Prefer} header names the preference (RFC 7240). */
  static boolean prefers(RoutingContext ctx, String token) {
    for (String h : ctx.request().headers().getAll("Prefer")) {
      for (String part : h.split(",")) {
        if (part.trim().toLowerCase(Locale.ROOT).startsWith(token)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code Prefer: wait=N} in seconds, or 0. */
  static long preferWaitSeconds(RoutingContext ctx) {
    for (String h : ctx.request().headers().getAll("Prefer")) {
      for (String part : h.split("[,;]")) {
        String p = part.trim().toLowerCase(Locale.ROOT);
        if (p.startsWith("wait=")) {
          try {
            return Math.max(0, Long.parseLong(p.substring(5).trim()));
          } catch (NumberFormatException e) {
            throw ApiError.badField("Prefer", "Prefer: wait=N needs N in whole seconds.");
          }
        }
      }
    }
    return 0;
  }

  /**
   * The client's timeout, capped: {@code timeout_ms} in the body, else {@code Sluice-Timeout-Ms},
   * else {@code Prefer: wait=N}, else OpenAI SDKs' {@code X-Stainless-Timeout} (seconds), else the
   * default. It becomes the request's deadline.
   */
  long timeoutOf(RoutingContext ctx, ParsedCall call) {
    long t = config.defaultTimeoutMs();
    String header = ctx.request().getHeader(TIMEOUT_HEADER);
    String stainless = ctx.request().getHeader("X-Stainless-Timeout");
    long wait = preferWaitSeconds(ctx);
    if (call.timeoutMs() != null) {
      t = call.timeoutMs();
    } else if (header != null) {
      try {
        t = Long.parseLong(header.trim());
      } catch (NumberFormatException e) {
        t = -1;
      }
      if (t < 1) {
        throw ApiError.badField(TIMEOUT_HEADER, TIMEOUT_HEADER + " must be a positive integer.");
      }
    } else if (wait > 0) {
      t = wait * 1000;
    } else if (stainless != null) {
      try {
        t = (long) (Double.parseDouble(stainless.trim()) * 1000);
      } catch (NumberFormatException e) {
        t = config.defaultTimeoutMs();
      }
      t = t < 1 ? config.defaultTimeoutMs() : t;
    }
    return Math.min(t, config.maxTimeoutMs());
  }

  private static Priority priorityOf(RoutingContext ctx, ParsedCall call) {
    if (call.priority() != null) {
      return call.priority();
    }
    String h = ctx.request().getHeader(PRIORITY_HEADER);
    return h == null
        ? Priority.INTERACTIVE
        : RequestMapper.priority(JsonNodeFactory.instance.textNode(h), PRIORITY_HEADER);
  }

  /** Request id of an idempotent call: the same caller, route, app and key give the same id. */
  static String idempotentId(Principal who, Kind kind, String app, String key) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (String s : new String[] {who.fingerprint(), kind.name(), app, key}) {
        d.update(s.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
      }
      return "idem-" + HexFormat.of().formatHex(d.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- responses --------------------------------------------------------------------------

  void sendResult(RoutingContext ctx, Kind kind, InferenceResponse r, String app) {
    ApiError e = ResponseMapper.errorOf(r);
    if (e != null) {
      sendError(ctx, kind, e);
      return;
    }
    ctx.response().putHeader(REQUEST_ID_HEADER, r.getRequestId());
    long created = createdSec(r);
    JsonNode body =
        switch (kind) {
          case SLUICE -> ResponseMapper.sluice(r);
          case CHAT -> ResponseMapper.chatCompletion(r, app, created);
          case COMPLETION -> ResponseMapper.completion(r, app, created);
        };
    json(ctx, 200, body);
  }

  private void replayStream(
      RoutingContext ctx, Kind kind, InferenceResponse r, String id, String app) {
    ApiError e = ResponseMapper.errorOf(r);
    if (e != null) {
      sendError(ctx, kind, e);
      return;
    }
    HttpServerResponse res = ctx.response();
    startEventStream(res, id);
    InferenceResponse whole = InferenceResponse.newBuilder(r).setChunkIndex(0).build();
    res.write("data: " + chunkJson(kind, whole, id, app) + "\n\n");
    endEventStream(res, kind);
  }

  String chunkJson(Kind kind, InferenceResponse r, String id, String app) {
    return switch (kind) {
      case SLUICE -> ResponseMapper.sluice(r).toString();
      case CHAT -> ResponseMapper.streamChunk(r, true, id, app, createdSec(r)).toString();
      case COMPLETION -> ResponseMapper.streamChunk(r, false, id, app, createdSec(r)).toString();
    };
  }

  private static long createdSec(InferenceResponse r) {
    Long c = r.getTimings() == null ? null : r.getTimings().getCreatedAtMs();
    return (c == null ? System.currentTimeMillis() : c) / 1000;
  }

  static void startEventStream(HttpServerResponse res, String requestId) {
    res.setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache")
        .putHeader(REQUEST_ID_HEADER, requestId);
  }

  static void endEventStream(HttpServerResponse res, Kind kind) {
    if (kind.openAi()) {
      res.write("data: [DONE]\n\n");
    }
    res.end();
  }

  void sendError(RoutingContext ctx, Kind kind, ApiError e) {
    HttpServerResponse res = ctx.response();
    if (res.ended() || res.closed() || res.headWritten()) {
      return;
    }
    if (e.retryAfterSeconds() != null) {
      res.putHeader("Retry-After", e.retryAfterSeconds().toString());
    }
    if (e.requestId() != null) {
      res.putHeader(REQUEST_ID_HEADER, e.requestId());
    }
    if (e.status() == 401) {
      res.putHeader("WWW-Authenticate", "Bearer");
    }
    json(ctx, e.status(), kind.openAi() ? e.toOpenAiJson() : e.toSluiceJson());
  }

  private void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    ApiError e;
    if (t instanceof ApiError a) {
      e = a;
    } else if (ctx.statusCode() == 413) {
      e =
          new ApiError(
              413,
              ApiError.PAYLOAD_TOO_LARGE,
              "The request body is larger than " + config.maxBodyBytes() + " bytes.",
              null,
              null,
              null);
    } else if (ctx.statusCode() == 405) {
      e = new ApiError(405, ApiError.METHOD_NOT_ALLOWED, "Method not allowed.", null, null, null);
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      e = new ApiError(ctx.statusCode(), "bad_request", "Bad request.", null, null, null);
    } else {
      e =
          new ApiError(
              500,
              "internal",
              "Internal error: " + (t == null ? "unknown" : t.getClass().getSimpleName()),
              null,
              null,
              null);
    }
    sendError(ctx, kindOfPath(ctx), e);
  }

  private static Kind kindOfPath(RoutingContext ctx) {
    String p = ctx.request().path();
    return p.startsWith("/v1/chat") || p.startsWith("/v1/completions") || p.startsWith("/v1/models")
        ? Kind.CHAT
        : Kind.SLUICE;
  }

  private static void json(RoutingContext ctx, int status, JsonNode body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }

  private static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  public int inFlight() {
    return inFlight.get();
  }
}
