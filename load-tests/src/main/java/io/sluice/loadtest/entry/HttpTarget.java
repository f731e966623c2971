package io.sluice.loadtest.entry;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.loadtest.generator.LoadRequest;
import io.sluice.loadtest.generator.Reply;
import io.sluice.loadtest.generator.Target;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The HTTP entry path: {@code POST {bridge}/v1/apps/{app}/infer}, asynchronously (the JDK's HTTP
 * client, HTTP/1.1, no per-host connection cap that would queue requests out of sight).
 *
 * <p>With {@code async = true} it uses the bridge's asynchronous submission instead: the POST
 * carries {@code Prefer: respond-async} and is answered 202 with the request id; the result is then
 * long-polled with {@code GET /v1/requests/{id}} and {@code Prefer: wait=N}. Latency is still
 * counted until the result is in hand.
 */
public final class HttpTarget implements Target {
  /** Builds the request body from a load request; the default is {@link Inputs#sluiceInferBody}. */
  @FunctionalInterface
  public interface BodyFormat extends Function<LoadRequest, String> {}

  private static final int LONG_POLL_SECONDS = 10;

  private final URI base;
  private final String app;
  private final String apiKey;
  private final Duration timeout;
  private final boolean async;
  private final BodyFormat body;
  private final HttpClient client;

  public HttpTarget(
      String baseUrl, String app, String apiKey, Duration timeout, boolean async, BodyFormat body) {
    this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    this.app = app;
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.async = async;
    this.body = body != null ? body : r -> Inputs.sluiceInferBody(r, timeout.toMillis());
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(timeout.plusSeconds(LONG_POLL_SECONDS));
    if (apiKey != null && !apiKey.isBlank()) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b;
  }

  @Override
  public CompletableFuture<Reply> send(LoadRequest r) {
    HttpRequest.Builder post =
        request("v1/apps/" + app + "/infer")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.apply(r)));
    if (async) {
      post.header("Prefer", "respond-async");
    }
    return client
        .sendAsync(post.build(), HttpResponse.BodyHandlers.ofString())
        .thenCompose(
            resp -> {
              if (async && resp.statusCode() == 202) {
                return poll(requestIdOf(resp));
              }
              return CompletableFuture.completedFuture(toReply(resp));
            });
  }

  private CompletableFuture<Reply> poll(String id) {
    HttpRequest get =
        request("v1/requests/" + id).header("Prefer", "wait=" + LONG_POLL_SECONDS).GET().build();
    return client
        .sendAsync(get, HttpResponse.BodyHandlers.ofString())
        .thenCompose(
            resp ->
                resp.statusCode() == 202
                    ? poll(id)
                    : CompletableFuture.completedFuture(toReply(resp)));
  }

  private static String requestIdOf(HttpResponse<String> resp) {
    try {
      JsonNode n = Inputs.JSON.readTree(resp.body());
      return n.path("requestId").asText();
    } catch (IOException e) {
      throw new IllegalStateException("202 without a JSON body naming the requestId", e);
    }
  }

  /** 200 with {@code status: OK} is success; anything else an error named by its code. */
  static Reply toReply(HttpResponse<String> resp) {
    JsonNode n;
    try {
      n = Inputs.JSON.readTree(resp.body() == null ? "" : resp.body());
    } catch (IOException e) {
      n = null;
    }
    String variant = n == null ? null : text(n.get("variant"));
    String deployment = n == null ? null : text(n.get("deployment"));
    if (resp.statusCode() == 200 && n != null && "OK".equals(text(n.get("status")))) {
      return Reply.ok(variant, deployment);
    }
    String code = n == null ? null : text(n.path("error").get("code"));
    return Reply.error(
        "http_" + resp.statusCode() + (code == null ? "" : ":" + code), variant, deployment);
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  @Override
  public String describe() {
    return (async ? "http-async " : "http ") + base.resolve("v1/apps/" + app + "/infer");
  }

  @Override
  public void close() {
    // The JDK 17 HttpClient has no close(); its threads are daemons and die with the JVM.
  }
}
