package io.sluice.bridge.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.bridge.ApiKeys.Principal;
import io.sluice.bridge.BridgeConfig;
import io.sluice.bridge.batch.BatchEndpoint;
import io.sluice.bridge.batch.BatchSettings;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI's Files and Batches API ({@code /v1/files}, {@code /v1/batches}) in OpenAI's shapes, so
 * the official SDKs work unchanged. Every field a client controls is checked here; files and
 * batches live in Kafka ({@link BatchStore}, {@link BatchTable}), so any replica answers for any of
 * them, and the replica owning a batch's events partition runs it ({@link BatchRunner}). Errors
 * have OpenAI's shape.
 */
final class BatchApi {
  private static final Logger log = LoggerFactory.getLogger(BatchApi.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern FILE_ID = Pattern.compile("file-[A-Za-z0-9_-]{1,64}");
  private static final Pattern BATCH_ID = Pattern.compile("batch_[A-Za-z0-9_-]{1,64}");
  static final int MAX_METADATA = 16;
  static final int MAX_METADATA_KEY = 64;
  static final int MAX_METADATA_VALUE = 512;
  static final int MAX_FILENAME = 255;
  static final long COMPLETION_WINDOW_SEC = 24 * 3600;

  private final Vertx vertx;
  private final BridgeConfig config;
  private final BatchSettings settings;
  private final CallOptions options;
  private final BatchTable files;
  private final BatchTable jobs;
  private final BatchStore store;

  BatchApi(
      Vertx vertx,
      BridgeConfig config,
      CallOptions options,
      BatchTable files,
      BatchTable jobs,
      BatchStore store) {
    this.vertx = vertx;
    this.config = config;
    this.settings = config.batch();
    this.options = options;
    this.files = files;
    this.jobs = jobs;
    this.store = store;
  }

  // ---- files ---------------------------------------------------------------------------------

  /** {@code POST /v1/files}: multipart with {@code purpose=batch} and one {@code file} part. */
  void upload(RoutingContext ctx) {
    handle(
        ctx,
        () -> {
          Principal who = options.principal(ctx.request());
          String ct = ctx.request().getHeader("Content-Type");
          if (ct == null
              || !ct.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            throw new ApiError(
                415,
                ApiError.UNSUPPORTED_MEDIA_TYPE,
                "POST /v1/files takes multipart/form-data.",
                "Content-Type",
                null,
                null);
          }
          List<String> purposes = ctx.request().formAttributes().getAll("purpose");
          if (purposes.size() != 1 || !purposes.get(0).equals("batch")) {
            throw ApiError.badField("purpose", "'purpose' must be given once and be 'batch'.");
          }
          List<FileUpload> uploads = ctx.fileUploads();
          if (uploads.size() != 1 || !uploads.get(0).name().equals("file")) {
            throw ApiError.badField("file", "Send exactly one file part named 'file'.");
          }
          FileUpload up = uploads.get(0);
          if (up.size() > settings.maxFileBytes()) {
            throw tooLarge();
          }
          String filename = up.fileName() == null ? "" : up.fileName();
          if (filename.isEmpty() || filename.length() > MAX_FILENAME) {
            throw ApiError.badField(
                "file", "The file name must have 1 to " + MAX_FILENAME + " characters.");
          }
          if (liveFiles() >= settings.maxFiles()) {
            throw new ApiError(
                400,
                "too_many_files",
                "At most "
                    + settings.maxFiles()
                    + " files are kept ("
                    + BridgeConfig.BATCH_MAX_FILES
                    + "); delete some first.",
                "file",
                null,
                null);
          }
          return blocking(
              () -> {
                byte[] content =
                    vertx.fileSystem().readFileBlocking(up.uploadedFileName()).getBytes();
                int lines = countLines(content);
                if (lines > settings.maxFileLines()) {
                  throw new ApiError(
                      400,
                      "too_many_lines",
                      "The file has "
                          + lines
                          + " lines; at most "
                          + settings.maxFileLines()
                          + " are allowed ("
                          + BridgeConfig.BATCH_MAX_FILE_LINES
                          + ").",
                      "file",
                      null,
                      null);
                }
                String id = "file-" + hex(12);
                ObjectNode meta =
                    BatchFiles.meta(
                        id, filename, "batch", content.length, nowSec(), who.fingerprint());
                meta.withObject("sluice").put("lines", lines);
                store.putFile(id, meta, content);
                awaitVisible(files, id);
                return BatchFiles.publicView(meta);
              });
        });
  }

  /**
   * {@code GET /v1/files}: {@code purpose}, {@code limit} 1–10000, {@code order}, {@code after}.
   */
  void listFiles(RoutingContext ctx) {
    handle(
        ctx,
        () -> {
          Principal who = options.principal(ctx.request());
          String purpose = single(ctx, "purpose");
          int limit = limit(ctx, 10_000, 10_000);
          String order = single(ctx, "order");
          if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw ApiError.badField("order", "'order' must be 'asc' or 'desc'.");
          }
          String after = single(ctx, "after");
          if (after != null && !FILE_ID.matcher(after).matches()) {
            throw ApiError.badField("after", "'after' must be a file id.");
          }
          Comparator<ObjectNode> byAge =
              Comparator.<ObjectNode>comparingLong(
                      o -> o.path("sluice").path("created_ms").asLong())
                  .thenComparing(o -> o.path("id").asText());
          List<ObjectNode> all =
              files.records().stream()
                  .filter(f -> visible(who, f) && fresh(f))
                  .filter(f -> purpose == null || purpose.equals(f.path("purpose").asText()))
                  .sorted("asc".equals(order) ? byAge : byAge.reversed())
                  .toList();
          return page(all, after, limit, BatchFiles::publicView);
        });
  }

  /** {@code GET /v1/files/{id}}. */
  void getFile(RoutingContext ctx) {
    handle(ctx, () -> BatchFiles.publicView(file(ctx)));
  }

  /** {@code GET /v1/files/{id}/content}: the bytes as uploaded or written. */
  void fileContent(RoutingContext ctx) {
    try {
      ObjectNode meta = file(ctx);
      String id = meta.path("id").asText();
      vertx
          .executeBlocking(() -> BatchFiles.bytes(files, store, id), false)
          .onComplete(
              ar -> {
                if (ar.failed() || ar.result() == null) {
                  fail(ctx, ar.failed() ? ar.cause() : notFound("file", id));
                } else {
                  ctx.response()
                      .putHeader("Content-Type", "application/octet-stream")
                      .end(Buffer.buffer(ar.result()));
                }
              });
    } catch (RuntimeException e) {
      fail(ctx, e);
    }
  }

  /** {@code DELETE /v1/files/{id}}; refused while a batch that is not finished reads it. */
  void deleteFile(RoutingContext ctx) {
    handle(
        ctx,
        () -> {
          ObjectNode meta = file(ctx);
          String id = meta.path("id").asText();
          boolean inUse =
              jobs.records().stream()
                  .anyMatch(
                      j ->
                          id.equals(j.path("input_file_id").asText())
                              && BatchStatus.live(j.path("status").asText()));
          if (inUse) {
            throw new ApiError(
                409,
                "file_in_use",
                "The file " + id + " is the input of a batch that has not finished.",
                "file_id",
                null,
                null);
          }
          return blocking(
              () -> {
                store.deleteFile(
                    id,
                    meta.path("sluice").path("partition").asInt(),
                    meta.path("sluice").path("chunks").asInt());
                return F.objectNode().put("id", id).put("object", "file").put("deleted", true);
              });
        });
  }

  // ---- batches -------------------------------------------------------------------------------

  /**
   * {@code POST /v1/batches}: {@code input_file_id}, {@code endpoint}, {@code completion_window},
   * {@code metadata}.
   */
  void create(RoutingContext ctx) {
    handle(
        ctx,
        () -> {
          Principal who = options.principal(ctx.request());
          JsonBody.checkContentType(ctx.request().getHeader("Content-Type"));
          JsonBody.checkContentEncoding(ctx.request().getHeader("Content-Encoding"));
          Buffer raw = ctx.body().buffer();
          JsonNode body =
              JsonBody.parseObject(JsonBody.utf8(raw == null ? new byte[0] : raw.getBytes()));
          String fileId = text(body, "input_file_id");
          if (!FILE_ID.matcher(fileId).matches()) {
            throw ApiError.badField("input_file_id", "'input_file_id' must be a file id.");
          }
          ObjectNode file = files.get(fileId);
          if (file == null || !visible(who, file) || !fresh(file)) {
            throw new ApiError(
                404, ApiError.NOT_FOUND, "No file '" + fileId + "'.", "input_file_id", null, null);
          }
          if (!"batch".equals(file.path("purpose").asText())) {
            throw ApiError.badField(
                "input_file_id", "The file " + fileId + " was not uploaded with purpose 'batch'.");
          }
          String endpoint = text(body, "endpoint");
          if (BatchEndpoint.parse(endpoint) == null) {
            throw ApiError.badField(
                "endpoint",
                "'endpoint' must be /v1/chat/completions, /v1/completions or /v1/apps/{app}/infer.");
          }
          if (!"24h".equals(text(body, "completion_window"))) {
            throw ApiError.badField("completion_window", "'completion_window' must be '24h'.");
          }
          JsonNode metadata = metadata(body.get("metadata"));
          long active =
              jobs.records().stream()
                  .filter(j -> BatchStatus.live(j.path("status").asText()))
                  .count();
          if (active >= settings.maxActive()) {
            throw new ApiError(
                429,
                "too_many_batches",
                "At most "
                    + settings.maxActive()
                    + " batches may be unfinished at once ("
                    + BridgeConfig.BATCH_MAX_ACTIVE
                    + ").",
                null,
                null,
                null);
          }
          return blocking(
              () -> {
                String id = "batch_" + hex(12);
                long now = nowSec();
                int partition = store.eventsPartition(id);
                ObjectNode b = F.objectNode();
                b.put("id", id);
                b.put("object", "batch");
                b.put("endpoint", endpoint);
                b.putNull("errors");
                b.put("input_file_id", fileId);
                b.put("completion_window", "24h");
                b.put("status", BatchStatus.VALIDATING);
                b.putNull("output_file_id");
                b.putNull("error_file_id");
                b.put("created_at", now);
                b.putNull("in_progress_at");
                b.put("expires_at", now + COMPLETION_WINDOW_SEC);
                for (String t :
                    List.of(
                        "finalizing",
                        "completed",
                        "failed",
                        "expired",
                        "cancelling",
                        "cancelled")) {
                  b.putNull(t + "_at");
                }
                b.putObject("request_counts").put("total", 0).put("completed", 0).put("failed", 0);
                b.set("metadata", metadata);
                ObjectNode s = b.putObject("sluice");
                s.put("owner", who.fingerprint());
                s.put("created_ms", System.currentTimeMillis());
                ArrayNode apps = s.putArray("apps");
                who.apps().forEach(apps::add);
                s.put("partition", partition);
                s.put("start_offset", store.eventsEnd(partition));
                store.putJob(b);
                awaitVisible(jobs, id);
                return BatchRunner.publicView(b);
              });
        });
  }

  /** {@code GET /v1/batches/{id}}. */
  void getBatch(RoutingContext ctx) {
    handle(ctx, () -> BatchRunner.publicView(batch(ctx)));
  }

  /** {@code GET /v1/batches}: newest first, {@code after} (a batch id) and {@code limit} 1–100. */
  void listBatches(RoutingContext ctx) {
    handle(
        ctx,
        () -> {
          Principal who = options.principal(ctx.request());
          int limit = limit(ctx, 20, 100);
          String after = single(ctx, "after");
          if (after != null && !BATCH_ID.matcher(after).matches()) {
            throw ApiError.badField("after", "'after' must be a batch id.");
          }
          List<ObjectNode> all =
              jobs.records().stream()
                  .filter(j -> visible(who, j) && fresh(j))
                  .sorted(
                      Comparator.<ObjectNode>comparingLong(
                              o -> o.path("sluice").path("created_ms").asLong())
                          .thenComparing(o -> o.path("id").asText())
                          .reversed())
                  .toList();
          return page(all, after, limit, BatchRunner::publicView);
        });
  }

  /** {@code POST /v1/batches/{id}/cancel}: the owner stops sending and keeps finished lines. */
  void cancel(RoutingContext ctx) {
    handle(
        ctx,
        () -> {
          ObjectNode job = batch(ctx);
          String status = job.path("status").asText();
          if (status.equals(BatchStatus.CANCELLING)) {
            return BatchRunner.publicView(job);
          }
          if (!BatchStatus.allowed(status, BatchStatus.CANCELLING)) {
            throw new ApiError(
                409,
                "batch_not_cancellable",
                "A batch that is " + status + " cannot be cancelled.",
                null,
                null,
                null);
          }
          String id = job.path("id").asText();
          int partition = job.path("sluice").path("partition").asInt();
          return blocking(
              () -> {
                store.event(id, partition, "cancel");
                ObjectNode shown = job.deepCopy();
                BatchStatus.move(shown, BatchStatus.CANCELLING, nowSec());
                return BatchRunner.publicView(shown);
              });
        });
  }

  // ---- helpers -------------------------------------------------------------------------------

  private interface Answer {
    Object run() throws Exception;
  }

  /** Runs a handler: a JsonNode is answered 200 at once, a blocking step when it completes. */
  private void handle(RoutingContext ctx, Answer a) {
    try {
      Object r = a.run();
      if (r instanceof JsonNode j) {
        Responder.json(ctx.response(), 200, j);
      } else {
        @SuppressWarnings("unchecked")
        io.vertx.core.Future<JsonNode> f = (io.vertx.core.Future<JsonNode>) r;
        f.onComplete(
            ar -> {
              if (ar.succeeded()) {
                Responder.json(ctx.response(), 200, ar.result());
              } else {
                fail(ctx, ar.cause());
              }
            });
      }
    } catch (Exception e) {
      fail(ctx, e);
    }
  }

  private io.vertx.core.Future<JsonNode> blocking(Callable<JsonNode> c) {
    return vertx.executeBlocking(c, false);
  }

  private void fail(RoutingContext ctx, Throwable e) {
    ApiError err;
    if (e instanceof ApiError a) {
      err = a;
    } else if (e instanceof java.util.concurrent.ExecutionException
        || e instanceof java.util.concurrent.TimeoutException
        || e instanceof org.apache.kafka.common.KafkaException) {
      err = ApiError.unavailable("Kafka did not accept the write in time; retry.", null);
    } else {
      log.error("batch API call failed", e);
      err = ApiError.internal(e);
    }
    Responder.error(ctx.response(), ErrorShape.OPENAI, err);
  }

  private ObjectNode file(RoutingContext ctx) {
    Principal who = options.principal(ctx.request());
    String id = ctx.pathParam("id");
    if (!FILE_ID.matcher(id).matches()) {
      throw ApiError.badField("id", "A file id is file- and 1 to 64 of A-Z a-z 0-9 _ -.");
    }
    ObjectNode f = files.get(id);
    if (f == null || !visible(who, f) || !fresh(f)) {
      throw notFound("file", id);
    }
    return f;
  }

  private ObjectNode batch(RoutingContext ctx) {
    Principal who = options.principal(ctx.request());
    String id = ctx.pathParam("id");
    if (!BATCH_ID.matcher(id).matches()) {
      throw ApiError.badField("id", "A batch id is batch_ and 1 to 64 of A-Z a-z 0-9 _ -.");
    }
    ObjectNode j = jobs.get(id);
    if (j == null || !visible(who, j) || !fresh(j)) {
      throw notFound("batch", id);
    }
    return j;
  }

  private boolean visible(Principal who, ObjectNode record) {
    return !config.authEnabled()
        || who.fingerprint().equals(record.path("sluice").path("owner").asText());
  }

  /** Within the retention (the topics also delete older records, later). */
  private boolean fresh(ObjectNode record) {
    return nowSec() - record.path("created_at").asLong() <= settings.retentionMs() / 1000;
  }

  private long liveFiles() {
    return files.records().stream().filter(this::fresh).count();
  }

  private static ApiError notFound(String what, String id) {
    return new ApiError(404, ApiError.NOT_FOUND, "No " + what + " '" + id + "'.", "id", null, null);
  }

  private ApiError tooLarge() {
    return new ApiError(
        413,
        ApiError.PAYLOAD_TOO_LARGE,
        "A file may have at most "
            + settings.maxFileBytes()
            + " bytes ("
            + BridgeConfig.BATCH_MAX_FILE_BYTES
            + ").",
        "file",
        null,
        null);
  }

  static JsonNode page(
      List<ObjectNode> all,
      String after,
      int limit,
      java.util.function.Function<ObjectNode, JsonNode> view) {
    int start = 0;
    if (after != null) {
      int i = 0;
      while (i < all.size() && !all.get(i).path("id").asText().equals(after)) {
        i++;
      }
      if (i == all.size()) {
        throw ApiError.badField("after", "No item '" + after + "' to list after.");
      }
      start = i + 1;
    }
    List<ObjectNode> page = all.subList(start, Math.min(all.size(), start + limit));
    ObjectNode o = F.objectNode();
    o.put("object", "list");
    ArrayNode data = o.putArray("data");
    page.forEach(p -> data.add(view.apply(p)));
    if (page.isEmpty()) {
      o.putNull("first_id");
      o.putNull("last_id");
    } else {
      o.put("first_id", page.get(0).path("id").asText());
      o.put("last_id", page.get(page.size() - 1).path("id").asText());
    }
    o.put("has_more", start + page.size() < all.size());
    return o;
  }

  private static String single(RoutingContext ctx, String name) {
    List<String> v = ctx.queryParam(name);
    if (v.size() > 1) {
      throw ApiError.badField(name, "'" + name + "' may be given once.");
    }
    return v.isEmpty() ? null : v.get(0);
  }

  private static int limit(RoutingContext ctx, int dflt, int max) {
    String s = single(ctx, "limit");
    if (s == null) {
      return dflt;
    }
    if (!s.matches("[0-9]{1,6}") || Integer.parseInt(s) < 1 || Integer.parseInt(s) > max) {
      throw ApiError.badField("limit", "'limit' must be an integer from 1 to " + max + ".");
    }
    return Integer.parseInt(s);
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      throw ApiError.badField(field, "Missing required parameter: '" + field + "'.");
    }
    if (!v.isTextual() || v.textValue().length() > 1024) {
      throw ApiError.badField(field, "'" + field + "' must be a string.");
    }
    return v.textValue();
  }

  /** OpenAI's metadata: at most 16 pairs, keys up to 64 characters, string values up to 512. */
  static JsonNode metadata(JsonNode m) {
    if (m == null || m.isNull()) {
      return F.nullNode();
    }
    if (!m.isObject()) {
      throw ApiError.badField("metadata", "'metadata' must be an object of strings.");
    }
    if (m.size() > MAX_METADATA) {
      throw ApiError.badField(
          "metadata", "'metadata' may have at most " + MAX_METADATA + " pairs.");
    }
    m.properties()
        .forEach(
            e -> {
              if (e.getKey().isEmpty() || e.getKey().length() > MAX_METADATA_KEY) {
                throw ApiError.badField(
                    "metadata",
                    "Metadata keys must have 1 to " + MAX_METADATA_KEY + " characters.");
              }
              if (!e.getValue().isTextual()
                  || e.getValue().textValue().length() > MAX_METADATA_VALUE) {
                throw ApiError.badField(
                    "metadata." + e.getKey(),
                    "Metadata values must be strings of at most "
                        + MAX_METADATA_VALUE
                        + " characters.");
              }
            });
    return m.deepCopy();
  }

  /** Non-blank lines of a file, which must be strictly valid UTF-8. */
  static int countLines(byte[] content) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(content))
              .toString();
    } catch (CharacterCodingException e) {
      throw ApiError.badField("file", "The file is not valid UTF-8 text.");
    }
    int n = 0;
    for (String l : text.split("\n", -1)) {
      if (!l.isBlank()) {
        n++;
      }
    }
    return n;
  }

  /** Waits (bounded) until this replica's copy of the topic shows the record just written. */
  private void awaitVisible(BatchTable table, String key) throws InterruptedException {
    long until =
        System.nanoTime()
            + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(config.kafkaTimeoutMs());
    ObjectNode seen = null;
    while (System.nanoTime() < until && (seen = table.get(key)) == null) {
      Thread.sleep(5);
    }
    if (seen == null) {
      log.warn("{} written but not yet read back; answering anyway", key);
    }
  }

  private static long nowSec() {
    return System.currentTimeMillis() / 1000;
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
