package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.avro.InferenceResponse;
import io.sluice.bridge.ApiKeys.Principal;
import io.sluice.bridge.BridgeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's HTTP routes (Vert.x Web); see {@code bridge/README.md} for the API. Each call route
 * is given its {@link Dialect} here, once. A call is checked in full (key, headers, body, app)
 * before anything is taken, then handed to {@link Idempotency} or {@link Submission}; answers are
 * written by {@link Responder}.
 */
public final class HttpApi {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  /** Room for a multipart upload's boundaries and form fields beside the file itself. */
  private static final long UPLOAD_OVERHEAD_BYTES = 64 * 1024;

  /** Request ids the bridge hands out: UUIDs and {@code idem-<hex>}. */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private final Vertx vertx;
  private final BridgeConfig config;
  private final RouteTable routes;
  private final ResultStore store;
  private final PrometheusMeterRegistry metrics;
  private final Supplier<Map<String, Object>> readiness;
  private final Admission admission;
  private final CallOptions options;
  private final Submission submission;
  private final Idempotency idempotency;
  private final OpenAiModels models;
  private final RouteErrors routeErrors;
  private final BatchApi batch;

  public HttpApi(
      Vertx vertx,
      BridgeConfig config,
      RouteTable routes,
      ReplyListener replies,
      ResultStore store,
      PendingReplies pending,
      Submitter submitter,
      PrometheusMeterRegistry metrics,
      Supplier<Map<String, Object>> readiness,
      BatchService batch) {
    this.vertx = vertx;
    this.config = config;
    this.routes = routes;
    this.store = store;
    this.metrics = metrics;
    this.readiness = readiness;
    this.admission = new Admission(config.maxInFlight(), metrics);
    this.options = new CallOptions(config);
    CallMetrics calls = new CallMetrics(metrics);
    ResultMarkers markers = new ResultMarkers(config, store, submitter);
    this.submission =
        new Submission(
            vertx, config, replies, store, pending, submitter, admission, markers, calls);
    this.idempotency = new Idempotency(vertx, store, markers, submission, admission, calls);
    this.models = new OpenAiModels(routes);
    this.routeErrors = new RouteErrors(config);
    this.batch = new BatchApi(vertx, config, options, batch.files, batch.jobs, batch.store);
  }

  /** The routes; keep {@link MethodTable} in step. */
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
    // Uploads stream to a temporary file (up to the file limit); every other body is bounded by
    // the record limit.
    r.post("/v1/files")
        .handler(
            BodyHandler.create(System.getProperty("java.io.tmpdir") + "/sluice-bridge-uploads")
                .setBodyLimit(config.batch().maxFileBytes() + UPLOAD_OVERHEAD_BYTES)
                .setDeleteUploadedFilesOnEnd(true));
    r.postWithRegex("/v1/(?!files/?$).*")
        .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    r.post("/v1/apps/:app/infer").handler(ctx -> call(ctx, SluiceDialect.INSTANCE));
    r.post("/v1/chat/completions").handler(ctx -> call(ctx, OpenAiDialect.CHAT));
    r.post("/v1/completions").handler(ctx -> call(ctx, OpenAiDialect.COMPLETIONS));
    r.post("/v1/embeddings").handler(ctx -> call(ctx, OpenAiDialect.EMBEDDINGS));
    r.get("/v1/requests/:id").handler(this::result);
    r.get("/v1/models").handler(this::models);
    r.get("/v1/models/:model").handler(this::model);
    r.post("/v1/files").handler(batch::upload);
    r.get("/v1/files").handler(batch::listFiles);
    r.get("/v1/files/:id").handler(batch::getFile);
    r.get("/v1/files/:id/content").handler(batch::fileContent);
    r.delete("/v1/files/:id").handler(batch::deleteFile);
    r.post("/v1/batches").handler(batch::create);
    r.get("/v1/batches").handler(batch::listBatches);
    r.get("/v1/batches/:id").handler(batch::getBatch);
    r.post("/v1/batches/:id/cancel").handler(batch::cancel);
    r.route("/v1/*").failureHandler(routeErrors::failure);
    r.route().last().handler(routeErrors::noRoute);
    return r;
  }

  /** Number of calls holding an in-flight slot. */
  public int inFlight() {
    return admission.inFlight();
  }

  // ---- calls ------------------------------------------------------------------------------

  private void call(RoutingContext ctx, Dialect dialect) {
    try {
      Principal who = options.principal(ctx.request());
      // Every header first, so that nothing is taken (a slot, a claim, a write) for a bad one.
      CallHeaders headers = CallHeaders.parse(ctx.request().headers());
      JsonBody.checkContentType(ctx.request().getHeader("Content-Type"));
      JsonBody.checkContentEncoding(ctx.request().getHeader("Content-Encoding"));
      Buffer raw = ctx.body().buffer();
      JsonNode body =
          JsonBody.parseObject(JsonBody.utf8(raw == null ? new byte[0] : raw.getBytes()));
      ParsedCall call = dialect.parse(ctx.pathParams(), body);
      if (!routes.knows(call.app())) {
        throw dialect.unknownApp(call.app());
      }
      if (!who.allows(call.app())) {
        throw new ApiError(
            403,
            ApiError.FORBIDDEN,
            "This API key may not call the app '" + call.app() + "'.",
            dialect.appParam(),
            null,
            null);
      }
      boolean async = dialect.allowsAsync() && headers.respondAsync();
      if (async && call.stream()) {
        throw ApiError.badField("stream", "A streamed call cannot also be respond-async.");
      }
      CallPlan plan =
          new CallPlan(
              dialect,
              call,
              options.timeoutOf(headers, call),
              CallOptions.priorityOf(headers, call),
              headers.traceparent());
      String key = headers.idempotencyKey();
      if (key != null) {
        idempotency.call(ctx, who, plan, key, async);
      } else if (async) {
        submission.async(ctx.response(), plan, newId(dialect), Map.of());
      } else {
        submission.sync(ctx, plan, newId(dialect), false);
      }
    } catch (ApiError e) {
      Responder.error(ctx.response(), dialect.errors(), e);
    } catch (RuntimeException e) {
      log.error("call on {} failed", dialect.metricTag(), e);
      Responder.error(ctx.response(), dialect.errors(), ApiError.internal(e));
    }
  }

  /** A fresh request id, with the route's prefix (so its stored result keeps its shape). */
  private static String newId(Dialect dialect) {
    return dialect.idPrefix() + UUID.randomUUID();
  }

  // ---- results, models, health ------------------------------------------------------------

  /**
   * {@code GET /v1/requests/{id}}: the stored result, 202 while pending, long-polled on request;
   * rendered in the shape of the route that made the id (an OpenAI object for an OpenAI call).
   */
  private void result(RoutingContext ctx) {
    HttpServerResponse res = ctx.response();
    Dialect shape = OpenAiDialect.ofRequestId(ctx.pathParam("id"));
    try {
      Principal who = options.principal(ctx.request());
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
        Responder.result(res, shape, e.result(), e.app());
      } else if (waitMs <= 0) {
        Responder.accepted(res, id);
      } else {
        StoredWait.start(
            vertx,
            store,
            res,
            id,
            waitMs,
            new StoredWait.Outcome() {
              @Override
              public void result(InferenceResponse r) {
                Responder.result(res, shape, r, e.app());
              }

              @Override
              public void timedOut() {
                Responder.accepted(res, id);
              }

              @Override
              public void clientGone() {}
            });
      }
    } catch (ApiError err) {
      Responder.error(res, shape.errors(), err);
    }
  }

  private void models(RoutingContext ctx) {
    try {
      json(ctx, 200, models.list(options.principal(ctx.request())));
    } catch (ApiError e) {
      Responder.error(ctx.response(), OpenAiModels.ERRORS, e);
    }
  }

  private void model(RoutingContext ctx) {
    try {
      json(ctx, 200, models.one(options.principal(ctx.request()), ctx.pathParam("model")));
    } catch (ApiError e) {
      Responder.error(ctx.response(), OpenAiModels.ERRORS, e);
    }
  }

  private void readyz(RoutingContext ctx) {
    Map<String, Object> checks = readiness.get();
    boolean up = checks.values().stream().allMatch(Boolean.TRUE::equals);
    ObjectNode o = object().put("status", up ? "UP" : "DOWN");
    checks.forEach((k, v) -> o.put(k, String.valueOf(v)));
    json(ctx, up ? 200 : 503, o);
  }

  private static void json(RoutingContext ctx, int status, JsonNode body) {
    Responder.json(ctx.response(), status, body);
  }

  private static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }
}
