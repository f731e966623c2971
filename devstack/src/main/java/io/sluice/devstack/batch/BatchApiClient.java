package io.sluice.devstack.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * A client of the bridge's OpenAI-shaped batch API ({@code /v1/files}, {@code /v1/batches}), as
 * {@code sluice batch submit|status|cancel|download} use it. Requests and answers are OpenAI's
 * shapes, so the same commands work against any server that implements OpenAI's Batch API.
 */
public final class BatchApiClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSONL = MediaType.get("application/jsonl");
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  /** A non-2xx answer, with the message of OpenAI's {@code {"error": {...}}} body if it has one. */
  public static final class ApiException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ApiException(int status, String message) {
      super(message);
      this.status = status;
    }

    /** The HTTP status. */
    public int status() {
      return status;
    }
  }

  private final HttpUrl base;
  private final String apiKey;
  private final OkHttpClient http;

  /**
   * A client of the bridge at {@code url}.
   *
   * @param url the bridge's base URL, e.g. {@code http://localhost:8080}
   * @param apiKey sent as {@code Authorization: Bearer}; null for none
   */
  public BatchApiClient(String url, String apiKey) {
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      throw new IllegalArgumentException("--url '" + url + "' is not an http(s) URL");
    }
    this.base = parsed;
    this.apiKey = apiKey;
    // Uploads and downloads may be large: no overall call timeout, but no silent hang either.
    this.http =
        new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(10))
            .readTimeout(Duration.ofSeconds(60))
            .writeTimeout(Duration.ofSeconds(60))
            .callTimeout(Duration.ZERO)
            .build();
  }

  /** {@code POST /v1/files} (multipart, {@code purpose=batch}); returns the file object. */
  public JsonNode uploadFile(Path file) throws IOException {
    RequestBody body =
        new MultipartBody.Builder()
            .setType(MultipartBody.FORM)
            .addFormDataPart("purpose", "batch")
            .addFormDataPart(
                "file", file.getFileName().toString(), RequestBody.create(file.toFile(), JSONL))
            .build();
    return call(post("v1/files", body));
  }

  /** {@code POST /v1/batches}; returns the batch object. */
  public JsonNode createBatch(
      String inputFileId, String endpoint, String completionWindow, Map<String, String> metadata)
      throws IOException {
    ObjectNode req = JSON.createObjectNode();
    req.put("input_file_id", inputFileId);
    req.put("endpoint", endpoint);
    req.put("completion_window", completionWindow);
    if (!metadata.isEmpty()) {
      ObjectNode m = req.putObject("metadata");
      metadata.forEach(m::put);
    }
    return call(post("v1/batches", RequestBody.create(JSON.writeValueAsBytes(req), JSON_TYPE)));
  }

  /** {@code GET /v1/batches/{id}}. */
  public JsonNode batch(String id) throws IOException {
    return call(request(url("v1/batches", id)).get().build());
  }

  /** {@code POST /v1/batches/{id}/cancel}; returns the batch object. */
  public JsonNode cancel(String id) throws IOException {
    return call(
        request(url("v1/batches", id, "cancel")).post(RequestBody.create(new byte[0])).build());
  }

  /**
   * {@code GET /v1/files/{id}/content} written to {@code target} (through a temporary file beside
   * it, so an interrupted download never leaves a partial file under the target's name).
   *
   * @return the bytes written
   */
  public long download(String fileId, Path target) throws IOException {
    Request req = request(url("v1/files", fileId, "content")).get().build();
    try (Response resp = http.newCall(req).execute()) {
      ResponseBody body = resp.body();
      if (!resp.isSuccessful()) {
        throw failure(resp.code(), body == null ? "" : body.string());
      }
      Path dir = target.toAbsolutePath().getParent();
      Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".part");
      try (InputStream in = body == null ? InputStream.nullInputStream() : body.byteStream()) {
        long n = Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        return n;
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }

  private Request post(String path, RequestBody body) {
    return request(base.newBuilder().addPathSegments(path).build()).post(body).build();
  }

  private HttpUrl url(String path, String id, String... more) {
    HttpUrl.Builder b = base.newBuilder().addPathSegments(path).addPathSegment(id);
    for (String s : more) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  private Request.Builder request(HttpUrl url) {
    Request.Builder b = new Request.Builder().url(url).header("Accept", "application/json");
    if (apiKey != null && !apiKey.isBlank()) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b;
  }

  private JsonNode call(Request req) throws IOException {
    try (Response resp = http.newCall(req).execute()) {
      ResponseBody body = resp.body();
      String text = body == null ? "" : body.string();
      if (!resp.isSuccessful()) {
        throw failure(resp.code(), text);
      }
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new IOException(
            req.method() + " " + req.url() + " answered " + resp.code() + " but not JSON", e);
      }
    }
  }

  private static ApiException failure(int status, String text) {
    String message = text;
    try {
      JsonNode err = JSON.readTree(text).path("error");
      if (err.hasNonNull("message")) {
        message = err.get("message").asText();
        if (err.hasNonNull("code")) {
          message = err.get("code").asText() + ": " + message;
        }
      }
    } catch (IOException e) {
      // not JSON: keep the body text as it is
    }
    return new ApiException(status, "HTTP " + status + (message.isBlank() ? "" : " " + message));
  }

  /** Releases the HTTP client's threads and connections. */
  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
