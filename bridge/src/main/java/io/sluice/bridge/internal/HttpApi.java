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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bridge's HTTP routes (Vert.x Web); see {@code bridge/README.md} for the API. */
public final class HttpApi {
  public static final String REQUEST_ID_HEADER = "Sluice-Request-Id";
  public static final String IDEMPOTENCY_KEY = CallHeaders.IDEMPOTENCY_KEY;
  public static final String TIMEOUT_HEADER = CallHeaders.TIMEOUT;
  public static final String PRIORITY_HEADER = CallHeaders.PRIORITY;
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  /** Request ids the bridge hands out: UUIDs and {@code idem-<hex>}. */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private final Vertx vertx;
  private final BridgeConfig config;
  private final RouteTable routes;
  private final ReplyListener replies;
  private final ResultStore store;
  private final PendingReplies pending;
  private final Submitter submitter;
  private final PrometheusMeterRegistry metrics;
  private final Supplier<Map<String, Object>> readiness;
  private final Admission admission;

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
    this.admission = new Admission(config.maxInFlight(), metrics);
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
    r.route().last().handler(this::noRoute);
    return r;
  }

  // ---- calls ------------------------------------------------------------------------------

  /** 405 with {@code Allow} for a known path and another method, else 404. */
  private void noRoute(RoutingContext ctx) {
    String method = ctx.request().method().name();
    String path = ctx.request().path();
    String allow = MethodTable.allowed(path);
    if (allow != null) {
      ctx.response().putHeader("Allow", allow);
      sendError(
          ctx,
          kindOfPath(ctx),
          new ApiError(
              405,
              ApiError.METHOD_NOT_ALLOWED,
              method + " is not allowed on " + MethodTable.shape(path) + "; use " + allow + ".",
              null,
              null,
              null));
      return;
    }
    sendError(
        ctx,
        kindOfPath(ctx),
        new ApiError(
            404,
            ApiError.NOT_FOUND,
            "No route " + method + " " + MethodTable.clip(path) + ".",
            null,
            null,
            null));
  }

  private void call(RoutingContext ctx, Kind kind) {
    try {
      Principal who = principal(ctx);
      // Every header first, so that nothing is taken (a slot, a claim, a write) for a bad one.
      CallHeaders headers = CallHeaders.parse(ctx.request().headers());
      JsonBody.checkContentType(ctx.request().getHeader("Content-Type"));
      JsonBody.checkContentEncoding(ctx.request().getHeader("Content-Encoding"));
      io.vertx.core.buffer.Buffer raw = ctx.body().buffer();
      JsonNode body =
          RequestMapper.parseObject(JsonBody.utf8(raw == null ? new byte[0] : raw.getBytes()));
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
      boolean async = kind == Kind.SLUICE && headers.respondAsync();
      if (async && call.stream()) {
        throw ApiError.badField("stream", "A streamed call cannot also be respond-async.");
      }
      long timeout = timeoutOf(headers, call);
      Priority priority = priorityOf(headers, call);
      String trace = headers.traceparent();
      String idemKey = headers.idempotencyKey();
      if (idemKey != null) {
        idempotent(ctx, kind, who, call, idemKey, async, timeout, priority, trace);
      } else if (async) {
        submitAsync(ctx, call, UUID.randomUUID().toString(), priority, trace, Map.of());
      } else {
        submitSync(ctx, kind, call, UUID.randomUUID().toString(), timeout, priority, trace, false);
      }
    } catch (ApiError e) {
      sendError(ctx, kind, e);
    } catch (RuntimeException e) {
      log.error("call on {} failed", kind, e);
      sendError(ctx, kind, internal(e));
    }
  }

  private static ApiError internal(Throwable t) {
    return new ApiError(
        500, "internal", "Internal error: " + t.getClass().getSimpleName(), null, null, null);
  }

  private void submitSync(
      RoutingContext ctx,
      Kind kind,
      ParsedCall call,
      String id,
      long timeout,
      Priority priority,
      String traceparent,
      boolean viaResults) {
    int partition = viaResults ? -1 : replies.pickPartition();
    if (!viaResults && partition < 0) {
      throw ApiError.unavailable("The bridge owns no reply partition yet; retry shortly.", null);
    }
    InferenceRequest req =
        request(
            call,
            id,
            timeout,
            priority,
            traceparent,
            viaResults ? config.resultsTopic() : config.replyTopic(),
            viaResults ? null : partition,
            Map.of());
    admission.admit(
        slot -> {
          Context context = vertx.getOrCreateContext();
          Exchange ex =
              new Exchange(this, ctx, context, slot, kind, id, call.app(), call.stream(), timeout);
          if (!pending.register(id, ex)) {
            throw new ApiError(
                409, "conflict", "Request " + id + " is already open here.", null, 1, id);
          }
          ex.arm();
          submitter
              .submit(req)
              .whenComplete(
                  (v, e) -> {
                    if (e == null) {
                      return;
                    }
                    ApiError err = produceFailed(e, id);
                    if (viaResults) {
                      // Its pending marker is already out: withdraw it before answering, so a
                      // retry with the same key (here or on another replica) runs again.
                      withdraw(id).whenComplete((x, y) -> ex.fail(err));
                    } else {
                      ex.fail(err);
                    }
                  });
        });
  }

  private void submitAsync(
      RoutingContext ctx,
      ParsedCall call,
      String id,
      Priority priority,
      String traceparent,
      Map<String, String> extra) {
    InferenceRequest req =
        request(
            call,
            id,
            config.asyncDeadlineMs(),
            priority,
            traceparent,
            config.resultsTopic(),
            null,
            extra);
    if (!store.claim(id, call.app())) {
      accepted(ctx, id);
      return;
    }
    Context context = vertx.getOrCreateContext();
    marker(id, call.app())
        .thenCompose(v -> submitter.submit(req))
        .handle((v, e) -> e)
        .thenCompose(
            e ->
                e == null
                    ? CompletableFuture.completedFuture((Throwable) null)
                    : withdraw(id).handle((x, y) -> e))
        .thenAccept(
            e ->
                context.runOnContext(
                    x -> {
                      if (e != null) {
                        sendError(ctx, Kind.SLUICE, produceFailed(e, id));
                      } else {
                        accepted(ctx, id);
                      }
                    }));
  }

  /**
   * Withdraws the pending marker of a request that was not produced: forgets the claim here and
   * writes a tombstone so every replica forgets it. A tombstone that fails is logged; the marker
   * then stays until the result retention ends.
   */
  private CompletableFuture<Void> withdraw(String id) {
    store.release(id);
    return submitter
        .clear(config.resultsTopic(), id)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                log.warn("could not withdraw the pending marker of {}: {}", id, e.toString());
              }
            });
  }

  private ApiError produceFailed(Throwable e, String id) {
    return ProduceFailures.toApiError(e, id, config.maxMessageBytes());
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
      Priority priority,
      String traceparent) {
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
      submitAsync(ctx, call, id, priority, traceparent, Map.of("idempotency-key", key));
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
                        withdraw(id)
                            .whenComplete(
                                (w, we) ->
                                    context.runOnContext(
                                        z -> sendError(ctx, kind, produceFailed(e, id))));
                        return;
                      }
                      try {
                        submitSync(
                            ctx,
                            kind,
                            withKey(call, key),
                            id,
                            timeout,
                            priority,
                            traceparent,
                            true);
                      } catch (ApiError err) {
                        withdraw(id);
                        sendError(ctx, kind, err);
                      } catch (RuntimeException err) {
                        log.error("idempotent call {} failed", id, err);
                        withdraw(id);
                        sendError(ctx, kind, internal(err));
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
    admission.admit(
        slot -> {
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
                      slot.release();
                      released(null, kind, 504, System.nanoTime() - start);
                      sendError(ctx, kind, ApiError.timeout(id, timeout));
                    }
                  });
          ctx.response()
              .closeHandler(
                  v -> {
                    if (!done[0]) {
                      done[0] = true;
                      vertx.cancelTimer(timer);
                      cancel[0].run();
                      slot.release();
                      released(null, kind, 0, System.nanoTime() - start);
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
                            slot.release();
                            ApiError e = ResponseMapper.errorOf(r);
                            released(
                                null,
                                kind,
                                e == null ? 200 : e.status(),
                                System.nanoTime() - start);
                            if (stream) {
                              replayStream(ctx, kind, r, id, app);
                            } else {
                              sendResult(ctx, kind, r, app);
                            }
                          }));
        });
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
      ParsedCall call,
      String id,
      long deadlineIn,
      Priority priority,
      String traceparent,
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
        .setTraceparent(traceparent)
        .setAttributes(attributes)
        .build();
  }

  /**
   * Called once per finished wait, after its slot was released (status 0: the client went away).
   */
  void released(Exchange ex, Kind kind, int status, long nanos) {
    if (ex != null) {
      pending.remove(ex.requestId(), ex);
    }
    Timer.builder("sluice.bridge.call")
        .description("Calls from HTTP request to reply")
        .tag("route", kind.metricTag())
        .tag("status", status == 0 ? "client_gone" : Integer.toString(status))
        .publishPercentileHistogram()
        .register(metrics)
        .record(nanos, TimeUnit.NANOSECONDS);
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
      if (!REQUEST_ID.matcher(id).matches()) {
        throw ApiError.badField("id", "A request id has 1 to 128 of A-Z a-z 0-9 . _ -.");
      }
      long waitMs = CallHeaders.preferWaitMs(ctx.request().headers(), config.maxTimeoutMs());
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

  /**
   * The client's timeout, capped: {@code timeout_ms} in the body, else {@code Sluice-Timeout-Ms},
   * else {@code Prefer: wait=N}, else OpenAI SDKs' {@code X-Stainless-Timeout} (seconds), else the
   * default. It becomes the request's deadline.
   */
  long timeoutOf(CallHeaders h, ParsedCall call) {
    long t = config.defaultTimeoutMs();
    if (call.timeoutMs() != null) {
      t = call.timeoutMs();
    } else if (h.timeoutMs() != null) {
      t = h.timeoutMs();
    } else if (h.waitSeconds() != null && h.waitSeconds() > 0) {
      t = h.waitSeconds() * 1000; // at most 10^12 s: cannot overflow
    } else if (h.stainlessTimeoutMs() != null) {
      t = h.stainlessTimeoutMs();
    }
    return Math.max(1, Math.min(t, config.maxTimeoutMs()));
  }

  private static Priority priorityOf(CallHeaders h, ParsedCall call) {
    if (call.priority() != null) {
      return call.priority();
    }
    return h.priority() == null ? Priority.INTERACTIVE : h.priority();
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
              "The request body is larger than "
                  + config.maxBodyBytes()
                  + " bytes: a request must fit one Kafka record of "
                  + config.maxMessageBytes()
                  + " bytes ("
                  + io.sluice.common.config.ConnectionKeys.MAX_MESSAGE_BYTES
                  + ").",
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
    return admission.inFlight();
  }
}
