package io.sluice.registry.internal;

import io.sluice.registry.CompatibilityLevel;
import io.sluice.registry.internal.RegistryState.StoredSchema;
import io.sluice.registry.internal.RegistryState.Version;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST API (the subset Avro clients use), mapped onto {@link
 * SchemaRegistry}. Registry calls may wait for the store's acknowledgement, so they run on Vert.x
 * worker threads, never on the event loop.
 */
public final class HttpApi {

  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  static final String V1_JSON = "application/vnd.schemaregistry.v1+json";
  static final String VND_JSON = "application/vnd.schemaregistry+json";
  static final String JSON = "application/json";
  private static final Set<String> REQUEST_TYPES =
      Set.of(V1_JSON, VND_JSON, JSON, "application/octet-stream");
  private static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

  private final Vertx vertx;
  private final SchemaRegistry registry;

  public HttpApi(Vertx vertx, SchemaRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  public Router router() {
    Router router = Router.router(vertx);
    router.route().handler(this::checkContentType);
    router.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));

    router.get("/").handler(ctx -> call(ctx, c -> new JsonObject()));
    router.get("/schemas/types").handler(ctx -> call(ctx, c -> new JsonArray().add("AVRO")));
    router.get("/mode").handler(ctx -> call(ctx, c -> new JsonObject().put("mode", "READWRITE")));
    router
        .get("/mode/:subject")
        .handler(ctx -> call(ctx, c -> new JsonObject().put("mode", "READWRITE")));

    router.get("/schemas/ids/:id").handler(ctx -> call(ctx, this::schemaById));
    router.get("/schemas/ids/:id/schema").handler(ctx -> call(ctx, this::rawSchemaById));
    router.get("/schemas/ids/:id/subjects").handler(ctx -> call(ctx, this::subjectsOfId));
    router.get("/schemas/ids/:id/versions").handler(ctx -> call(ctx, this::versionsOfId));

    router.get("/subjects").handler(ctx -> call(ctx, this::subjects));
    router.post("/subjects/:subject").handler(ctx -> call(ctx, this::lookup));
    router.delete("/subjects/:subject").handler(ctx -> call(ctx, this::deleteSubject));
    router.get("/subjects/:subject/versions").handler(ctx -> call(ctx, this::versions));
    router.post("/subjects/:subject/versions").handler(ctx -> call(ctx, this::register));
    router.get("/subjects/:subject/versions/:version").handler(ctx -> call(ctx, this::getVersion));
    router
        .get("/subjects/:subject/versions/:version/schema")
        .handler(ctx -> call(ctx, this::rawSchemaOfVersion));
    router
        .get("/subjects/:subject/versions/:version/referencedby")
        .handler(ctx -> call(ctx, this::referencedBy));
    router
        .delete("/subjects/:subject/versions/:version")
        .handler(ctx -> call(ctx, this::deleteVersion));

    router
        .post("/compatibility/subjects/:subject/versions/:version")
        .handler(ctx -> call(ctx, this::compatibility));
    router
        .post("/compatibility/subjects/:subject/versions")
        .handler(ctx -> call(ctx, this::compatibility));

    router.get("/config").handler(ctx -> call(ctx, this::globalConfig));
    router.put("/config").handler(ctx -> call(ctx, this::setGlobalConfig));
    router.delete("/config").handler(ctx -> call(ctx, this::resetGlobalConfig));
    router.get("/config/:subject").handler(ctx -> call(ctx, this::subjectConfig));
    router.put("/config/:subject").handler(ctx -> call(ctx, this::setSubjectConfig));
    router.delete("/config/:subject").handler(ctx -> call(ctx, this::deleteSubjectConfig));

    router.errorHandler(404, ctx -> sendError(ctx, RegistryException.http(404, "Not Found")));
    router.errorHandler(
        405, ctx -> sendError(ctx, RegistryException.http(405, "Method Not Allowed")));
    router.errorHandler(
        413, ctx -> sendError(ctx, RegistryException.http(413, "Request Entity Too Large")));
    router.errorHandler(500, ctx -> sendError(ctx, ctx.failure()));
    return router;
  }

  // ---- handlers (run on a worker thread) ----------------------------------------------------

  private Object schemaById(RoutingContext ctx) {
    StoredSchema schema = registry.schemaById(id(ctx));
    return withType(new JsonObject(), schema.schemaType()).put("schema", schema.canonical());
  }

  private Object rawSchemaById(RoutingContext ctx) {
    return new RawJson(registry.schemaById(id(ctx)).canonical());
  }

  private Object subjectsOfId(RoutingContext ctx) {
    return new JsonArray(registry.subjectsOfId(id(ctx), flag(ctx, "deleted")));
  }

  private Object versionsOfId(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    for (Version v : registry.versionsOfId(id(ctx), flag(ctx, "deleted"), true)) {
      out.add(new JsonObject().put("subject", v.subject()).put("version", v.version()));
    }
    return out;
  }

  private Object subjects(RoutingContext ctx) {
    return new JsonArray(registry.subjects(flag(ctx, "deleted")));
  }

  private Object versions(RoutingContext ctx) {
    return new JsonArray(registry.versions(subject(ctx), flag(ctx, "deleted")));
  }

  private Object getVersion(RoutingContext ctx) {
    return subjectVersionJson(
        registry.version(subject(ctx), versionParam(ctx), flag(ctx, "deleted")));
  }

  private Object rawSchemaOfVersion(RoutingContext ctx) {
    return new RawJson(
        registry.version(subject(ctx), versionParam(ctx), flag(ctx, "deleted")).schema());
  }

  private Object referencedBy(RoutingContext ctx) {
    registry.version(subject(ctx), versionParam(ctx), false);
    // Avro schemas here never reference others, so nothing refers to any version.
    return new JsonArray();
  }

  private Object register(RoutingContext ctx) {
    SchemaRequest request = schemaRequest(ctx);
    int id = registry.register(subject(ctx), request.schemaType(), request.schema());
    return new JsonObject().put("id", id);
  }

  private Object lookup(RoutingContext ctx) {
    SchemaRequest request = schemaRequest(ctx);
    return subjectVersionJson(
        registry.lookup(
            subject(ctx), request.schemaType(), request.schema(), flag(ctx, "deleted")));
  }

  private Object deleteSubject(RoutingContext ctx) {
    return new JsonArray(registry.deleteSubject(subject(ctx), flag(ctx, "permanent")));
  }

  private Object deleteVersion(RoutingContext ctx) {
    return registry.deleteVersion(subject(ctx), versionParam(ctx), flag(ctx, "permanent"));
  }

  private Object compatibility(RoutingContext ctx) {
    String versionParam = ctx.pathParam("version");
    int version = versionParam == null ? -1 : versionParam(ctx);
    SchemaRequest request = schemaRequest(ctx);
    SchemaRegistry.Compatibility result =
        registry.checkCompatibility(subject(ctx), version, request.schemaType(), request.schema());
    JsonObject out = new JsonObject().put("is_compatible", result.compatible());
    if (flag(ctx, "verbose")) {
      out.put("messages", new JsonArray(result.messages()));
    }
    return out;
  }

  private Object globalConfig(RoutingContext ctx) {
    return new JsonObject().put("compatibilityLevel", registry.globalLevel().name());
  }

  private Object setGlobalConfig(RoutingContext ctx) {
    CompatibilityLevel level = levelFromBody(ctx);
    registry.setLevel(null, level);
    return new JsonObject().put("compatibility", level.name());
  }

  private Object resetGlobalConfig(RoutingContext ctx) {
    return new JsonObject().put("compatibilityLevel", registry.resetGlobalLevel().name());
  }

  private Object subjectConfig(RoutingContext ctx) {
    CompatibilityLevel level = registry.subjectLevel(subject(ctx), flag(ctx, "defaultToGlobal"));
    return new JsonObject().put("compatibilityLevel", level.name());
  }

  private Object setSubjectConfig(RoutingContext ctx) {
    CompatibilityLevel level = levelFromBody(ctx);
    registry.setLevel(subject(ctx), level);
    return new JsonObject().put("compatibility", level.name());
  }

  private Object deleteSubjectConfig(RoutingContext ctx) {
    return new JsonObject()
        .put("compatibilityLevel", registry.deleteSubjectLevel(subject(ctx)).name());
  }

  // ---- request parsing ----------------------------------------------------------------------

  /** The body of register, lookup and compatibility calls. */
  private record SchemaRequest(String schema, String schemaType) {}

  private static SchemaRequest schemaRequest(RoutingContext ctx) {
    JsonObject body = body(ctx);
    Object schema = body.getValue("schema");
    if (!(schema instanceof String text)) {
      throw RegistryException.invalidSchema("Empty schema");
    }
    Object references = body.getValue("references");
    if (references instanceof JsonArray refs && !refs.isEmpty()) {
      throw RegistryException.invalidSchema("Schema references are not supported");
    }
    Object type = body.getValue("schemaType");
    String schemaType = type == null ? null : type.toString().toUpperCase(Locale.ROOT);
    return new SchemaRequest(text, schemaType);
  }

  private static CompatibilityLevel levelFromBody(RoutingContext ctx) {
    JsonObject body = body(ctx);
    Object raw = body.getValue("compatibility", body.getValue("compatibilityLevel"));
    String name = raw == null ? null : raw.toString();
    return CompatibilityLevel.parse(name)
        .orElseThrow(() -> RegistryException.invalidCompatibilityLevel(name));
  }

  private static JsonObject body(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      throw new RegistryException(400, 400, "Request body is empty");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new RegistryException(400, 400, "Malformed JSON: " + e.getMessage());
    }
  }

  private static String subject(RoutingContext ctx) {
    return ctx.pathParam("subject");
  }

  private static int id(RoutingContext ctx) {
    try {
      return Integer.parseInt(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw RegistryException.http(404, "Not Found");
    }
  }

  /**
   * A version path parameter: {@code latest} or {@code -1} mean the latest (-1), else 1..2^31-1.
   */
  private static int versionParam(RoutingContext ctx) {
    String raw = ctx.pathParam("version");
    if ("latest".equalsIgnoreCase(raw)) {
      return -1;
    }
    try {
      int version = Integer.parseInt(raw);
      if (version == -1 || version >= 1) {
        return version;
      }
    } catch (NumberFormatException e) {
      // reported below, as Confluent does, with the offending value
    }
    throw RegistryException.invalidVersion(raw);
  }

  private static boolean flag(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    return !values.isEmpty() && Boolean.parseBoolean(values.get(0));
  }

  private static JsonObject subjectVersionJson(SchemaRegistry.SubjectVersion v) {
    JsonObject out =
        new JsonObject().put("subject", v.subject()).put("version", v.version()).put("id", v.id());
    return withType(out, v.schemaType()).put("schema", v.schema());
  }

  /** Confluent leaves {@code schemaType} out for Avro, the default, and clients expect that. */
  private static JsonObject withType(JsonObject json, String schemaType) {
    if (!AvroSchemas.AVRO.equals(schemaType)) {
      json.put("schemaType", schemaType);
    }
    return json;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** A response body that is already JSON text (a raw schema). */
  private record RawJson(String text) {}

  private void checkContentType(RoutingContext ctx) {
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (contentType != null) {
      String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (!REQUEST_TYPES.contains(base)) {
        sendError(ctx, RegistryException.http(415, "Unsupported Media Type"));
        return;
      }
    }
    ctx.next();
  }

  private void call(RoutingContext ctx, Function<RoutingContext, Object> handler) {
    vertx
        .<Object>executeBlocking(() -> handler.apply(ctx), false)
        .onComplete(
            result -> {
              if (result.failed()) {
                sendError(ctx, result.cause());
                return;
              }
              Object body = result.result();
              String text =
                  body instanceof RawJson raw
                      ? raw.text()
                      : body instanceof JsonObject || body instanceof JsonArray
                          ? body.toString()
                          : String.valueOf(body);
              ctx.response()
                  .setStatusCode(200)
                  .putHeader(HttpHeaders.CONTENT_TYPE, responseType(ctx))
                  .end(text);
            });
  }

  private static void sendError(RoutingContext ctx, Throwable failure) {
    RegistryException error;
    if (failure instanceof RegistryException e) {
      error = e;
      if (e.httpStatus() >= 500) {
        LOG.error(
            "{} {} failed: {}",
            ctx.request().method(),
            ctx.request().path(),
            e.getMessage(),
            e.getCause());
      }
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      error = new RegistryException(500, 500, "Internal Server Error");
    }
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(error.httpStatus())
        .putHeader(HttpHeaders.CONTENT_TYPE, responseType(ctx))
        .end(
            new JsonObject()
                .put("error_code", error.errorCode())
                .put("message", error.getMessage())
                .encode());
  }

  /** Answers in the type the client asked for, defaulting to Confluent's versioned type. */
  private static String responseType(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    if (accept == null || accept.contains(V1_JSON)) {
      return V1_JSON;
    }
    if (accept.contains(VND_JSON)) {
      return VND_JSON;
    }
    if (accept.contains(JSON)) {
      return JSON;
    }
    return V1_JSON;
  }
}
