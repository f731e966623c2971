package io.sluice.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A bare HTTP client for tests: sends exactly what a Confluent client would send. */
final class RegistryClient {

  static final String V1 = "application/vnd.schemaregistry.v1+json";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;

  RegistryClient(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** A response: status, content type and body text. */
  record Reply(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    JsonArray array() {
      return new JsonArray(body);
    }

    int errorCode() {
      return json().getInteger("error_code");
    }
  }

  Reply get(String path) {
    return send(request(path).GET().build());
  }

  Reply delete(String path) {
    return send(request(path).DELETE().build());
  }

  Reply post(String path, JsonObject body) {
    return send(
        request(path)
            .header("Content-Type", V1)
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build());
  }

  Reply put(String path, JsonObject body) {
    return send(
        request(path)
            .header("Content-Type", V1)
            .PUT(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build());
  }

  Reply send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(
          response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(""),
          response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpRequest.Builder request(String path) {
    return request(path, V1);
  }

  HttpRequest.Builder request(String path, String accept) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(20))
        .header("Accept", accept);
  }

  /** Registers {@code schema} under {@code subject}. */
  Reply register(String subject, String schema) {
    return post("/subjects/" + subject + "/versions", new JsonObject().put("schema", schema));
  }
}
